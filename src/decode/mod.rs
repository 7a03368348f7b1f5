//! Decoding encoded content so keys hidden inside it are found: base64 runs (Kubernetes Secret
//! `data`, kubeconfig `client-key-data`, docker auths, and long base64 generally). The scanner
//! rescans what decodes to text, depth-limited and within a byte budget per blob.

pub mod base64;
