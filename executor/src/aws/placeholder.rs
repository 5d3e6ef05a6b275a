//! The package a new Lambda function starts with. A golden path plans the function (runtime,
//! handler, role, limits) but not its code, which the team's delivery pipeline ships; until it
//! does, the function answers every call with HTTP 503 and says why. The package is a zip archive
//! with one stored (uncompressed) file, written here because a few lines of CRC-32 are cheaper
//! than a compression crate.

/// The placeholder package for a runtime and handler (`index.handler`).
pub(crate) fn package(runtime: &str, handler: &str) -> Vec<u8> {
    let (module, function) = handler.rsplit_once('.').unwrap_or(("index", "handler"));
    let body = r#"{"statusCode": 503, "body": "This function has no code yet: the delivery pipeline has not deployed it."}"#;
    let (file, source) = if runtime.starts_with("python") {
        (
            format!("{module}.py"),
            format!("def {function}(event, context):\n    return {body}\n"),
        )
    } else if runtime.starts_with("nodejs") {
        (
            format!("{module}.mjs"),
            format!("export const {function} = async () => ({body});\n"),
        )
    } else if runtime.starts_with("ruby") {
        (
            format!("{module}.rb"),
            format!(
                "def {function}(event:, context:)\n  {{ statusCode: 503, body: 'This function has no code yet.' }}\nend\n"
            ),
        )
    } else {
        // Compiled runtimes (provided.al2023, java, dotnet) need a build; an empty bootstrap
        // makes the missing code obvious when invoked.
        (
            "bootstrap".to_string(),
            "#!/bin/sh\necho 'This function has no code yet.' >&2\nexit 1\n".to_string(),
        )
    };
    zip_one(&file, source.as_bytes())
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip archive holding one stored file.
fn zip_one(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = crc32(data);
    let size = data.len() as u32;
    let name_len = name.len() as u16;
    let mut out = Vec::with_capacity(100 + 2 * name.len() + data.len());
    // Local file header.
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // version needed
    out.extend_from_slice(&0u16.to_le_bytes()); // flags
    out.extend_from_slice(&0u16.to_le_bytes()); // method: stored
    out.extend_from_slice(&0u16.to_le_bytes()); // time
    out.extend_from_slice(&0x0021u16.to_le_bytes()); // date: 1980-01-01
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    let central = out.len() as u32;
    // Central directory entry.
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&0x031Eu16.to_le_bytes()); // made by: Unix, 3.0
    out.extend_from_slice(&20u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0x0021u16.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // extra
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    out.extend_from_slice(&0u16.to_le_bytes()); // disk
    out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    out.extend_from_slice(&(0o100_755u32 << 16).to_le_bytes()); // external: rwxr-xr-x file
    out.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    out.extend_from_slice(name.as_bytes());
    let central_size = out.len() as u32 - central;
    // End of central directory.
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn the_package_is_a_zip_holding_the_handler_module() {
        let zip = package("nodejs20.x", "index.handler");
        assert_eq!(&zip[..4], b"PK\x03\x04");
        assert_eq!(&zip[30..39], b"index.mjs");
        let eocd = zip.len() - 22;
        assert_eq!(&zip[eocd..eocd + 4], &0x0605_4b50u32.to_le_bytes());
        let py = package("python3.12", "app.main");
        assert_eq!(&py[30..36], b"app.py");
        let text = String::from_utf8_lossy(&py);
        assert!(text.contains("def main(event, context):"));
    }
}
