//! The one piece of ASN.1 DER both the provider (public keys as PEM) and
//! the emulator (key pairs in Azure's formats) write: a tag, its length in
//! DER's short or long form, and the content.

/// `tag`, the length of `content` in DER form, then `content`.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::tlv;

    #[test]
    fn short_and_long_lengths() {
        assert_eq!(tlv(0x02, &[1]), [0x02, 1, 1]);
        let long = vec![0u8; 300];
        assert_eq!(&tlv(0x04, &long)[..4], [0x04, 0x82, 0x01, 0x2c]);
    }
}
