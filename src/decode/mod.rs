//! Decoding encoded content so keys hidden inside it are found: base64 runs (Kubernetes Secret
//! `data`, kubeconfig `client-key-data`, docker auths, and long base64 generally). The scanner
//! rescans what decodes to text, depth-limited and within a byte budget per blob. Percent
//! escapes (`%2F`) are decoded here too, for the filters and analyzers that read URLs.

pub mod base64;

/// Percent-decodes `%XX` escapes, leaving malformed ones as they are.
pub fn percent_decode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if data[i] == b'%' && i + 2 < data.len() {
            if let (Some(hi), Some(lo)) = (hex(data[i + 1]), hex(data[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(data[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_decoding_tolerates_malformed_escapes() {
        assert_eq!(percent_decode(b"a%20b"), b"a b");
        assert_eq!(percent_decode(b"100%"), b"100%");
        assert_eq!(percent_decode(b"%zz%4"), b"%zz%4");
    }
}
