//! Static files are streamed, not read whole: a 100 MiB file comes out of
//! both servers byte-identical while their resident memory barely moves,
//! and the odd corner of an empty file asked for by range answers as
//! tower-http's `ServeDir` answers it.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use conformance::cases::{Body::*, get, run_cases_with};
use conformance::process;
use shared_handlers::AppConfig;

/// The file both servers must stream: 100 MiB.
const BIG_FILE_BYTES: usize = 100 * 1024 * 1024;

/// How much a server's resident memory may grow while it sends the file.
const RSS_GROWTH_LIMIT_KIB: u64 = 16 * 1024;

/// Writes `bytes` of varied (not all-equal) content to `path` one block at
/// a time, and returns their CRC-32: the file never sits in memory whole.
fn write_big_file(path: &Path, bytes: usize) -> std::io::Result<u32> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut crc = flate2::Crc::new();
    let mut block = vec![0u8; 1024 * 1024];
    let mut state: u32 = 0x2545_f491;
    for _ in 0..bytes / block.len() {
        for byte in &mut block {
            // xorshift32: cheap bytes that differ from block to block.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            *byte = state.to_le_bytes()[0];
        }
        crc.update(&block);
        out.write_all(&block)?;
    }
    out.flush()?;
    Ok(crc.sum())
}

/// A field of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`).
fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|line| line.starts_with(field))
        .ok_or_else(|| anyhow::anyhow!("no {field} in /proc/{pid}/status"))?;
    let kib = line
        .split_whitespace()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("malformed {line:?}"))?;
    Ok(kib.parse()?)
}

/// What one download of the big file showed.
#[derive(Debug)]
struct Download {
    length: usize,
    crc: u32,
    /// The most the server's resident memory was above its level before.
    rss_growth_kib: u64,
}

/// Downloads `target` with `Connection: close` (asking for gzip if `gzip`:
/// then the small compressed body is collected and decoded), hashing the body as it
/// arrives, while watching the server's resident memory: sampled every
/// 4 MiB, and its high-water mark (reset beforehand, where the kernel
/// allows it) read at the end.
fn download(server: &process::Running, target: &str, gzip: bool) -> anyhow::Result<Download> {
    let pid = server.pid();
    let before = status_kib(pid, "VmRSS")?;
    // Writing 5 resets VmHWM to the current RSS (Linux 4.0+).
    let peak_was_reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
    let mut stream = TcpStream::connect(server.addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let accept = if gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: localhost\r\n{accept}Connection: close\r\n\r\n"
    )?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte)?;
        head.push(byte[0]);
    }
    let head = String::from_utf8(head)?;
    anyhow::ensure!(head.starts_with("HTTP/1.1 200 "), "answer {head:?}");
    let mut highest = before;
    let mut sample = |received: usize, next: &mut usize| -> anyhow::Result<()> {
        if received >= *next {
            highest = highest.max(status_kib(pid, "VmRSS")?);
            *next += 4 * 1024 * 1024;
        }
        Ok(())
    };
    let (length, crc) = if gzip {
        anyhow::ensure!(
            head.contains("content-encoding: gzip"),
            "not gzipped: {head:?}"
        );
        let gzipped = read_chunked(&mut stream, &mut sample)?;
        hash(flate2::read::GzDecoder::new(gzipped.as_slice()), |_, _| {
            Ok(())
        })?
    } else {
        hash(&mut stream, &mut sample)?
    };
    if peak_was_reset {
        highest = highest.max(status_kib(pid, "VmHWM")?);
    }
    Ok(Download {
        length,
        crc,
        rss_growth_kib: highest.saturating_sub(before),
    })
}

/// Length and CRC-32 of everything `reader` yields, calling `progress`
/// with the count so far.
fn hash(
    mut reader: impl Read,
    mut progress: impl FnMut(usize, &mut usize) -> anyhow::Result<()>,
) -> anyhow::Result<(usize, u32)> {
    let mut crc = flate2::Crc::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let (mut length, mut next) = (0, 0);
    loop {
        let n = reader.read(&mut chunk)?;
        if n == 0 {
            return Ok((length, crc.sum()));
        }
        crc.update(&chunk[..n]);
        length += n;
        progress(length, &mut next)?;
    }
}

/// A `Transfer-Encoding: chunked` body, de-chunked (small: it is gzip of
/// very repetitive text).
fn read_chunked(
    stream: &mut TcpStream,
    mut progress: impl FnMut(usize, &mut usize) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut next = 0;
    loop {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\r\n") {
            stream.read_exact(&mut byte)?;
            line.push(byte[0]);
        }
        let size = usize::from_str_radix(std::str::from_utf8(&line)?.trim_end(), 16)?;
        let mut chunk = vec![0u8; size + 2];
        stream.read_exact(&mut chunk)?;
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&chunk[..size]);
        progress(body.len(), &mut next)?;
    }
}

#[test]
fn a_100_mib_file_is_served_byte_identical_by_both_servers_with_little_memory_growth() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let crc = write_big_file(&dir.path().join("big.bin"), BIG_FILE_BYTES).expect("written");
    let static_dir = dir.path().to_str().expect("a UTF-8 temp path");
    for (which, binary) in crate::BINARIES {
        let args = ["--static-dir", static_dir, "--workers", "2"];
        let server = process::start(binary, &args).expect("the server starts");
        // One small request first, so that the runtime and the connection
        // machinery are warm before memory is measured.
        let warm = server.get("/plaintext").expect("an answer");
        assert!(warm.starts_with("HTTP/1.1 200 "), "{warm}");
        let seen = download(&server, "/static/big.bin", false).expect("the file downloads");
        println!("{which}: {seen:?}");
        assert_eq!(seen.length, BIG_FILE_BYTES, "{which}: length");
        assert_eq!(seen.crc, crc, "{which}: content");
        assert!(
            seen.rss_growth_kib < RSS_GROWTH_LIMIT_KIB,
            "{which} grew by {} KiB while sending the file",
            seen.rss_growth_kib
        );
        server
            .terminate(Duration::from_secs(10))
            .expect("the server stops on SIGTERM");
    }
}

/// Writes 32 MiB of very repetitive text, returning its CRC-32.
fn write_text_file(path: &Path) -> std::io::Result<u32> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut crc = flate2::Crc::new();
    for line in 0..TEXT_FILE_BYTES / 64 {
        let text = format!("{line:>12}: streamed, not read whole, then gzipped on the way.\n");
        crc.update(&text.as_bytes()[..64]);
        out.write_all(&text.as_bytes()[..64])?;
    }
    out.flush()?;
    Ok(crc.sum())
}

/// The text file gzipped on the way out: 32 MiB, twice the memory limit.
const TEXT_FILE_BYTES: usize = 32 * 1024 * 1024;

#[test]
fn a_32_mib_text_file_is_gzipped_as_it_streams_by_both_servers() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let crc = write_text_file(&dir.path().join("big.txt")).expect("written");
    let static_dir = dir.path().to_str().expect("a UTF-8 temp path");
    for (which, binary) in crate::BINARIES {
        let args = ["--static-dir", static_dir, "--workers", "2"];
        let server = process::start(binary, &args).expect("the server starts");
        let warm = server.get("/plaintext").expect("an answer");
        assert!(warm.starts_with("HTTP/1.1 200 "), "{warm}");
        let seen = download(&server, "/static/big.txt", true).expect("the file downloads");
        println!("{which}, gzip: {seen:?}");
        assert_eq!((seen.length, seen.crc), (TEXT_FILE_BYTES, crc), "{which}");
        assert!(
            seen.rss_growth_kib < RSS_GROWTH_LIMIT_KIB,
            "{which} grew by {} KiB while gzipping the file",
            seen.rss_growth_kib
        );
        server
            .terminate(Duration::from_secs(10))
            .expect("the server stops on SIGTERM");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_file_asked_for_by_range_answers_as_serve_dir_does() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("empty.txt"), b"").expect("written");
    let config = AppConfig {
        static_dir: dir.path().to_path_buf(),
        ..AppConfig::default()
    };
    // `ServeDir` validates `0-` against a size of 0 as the range 0..=0 (its
    // end is clamped to `size - 1`, saturating), and sends it with no bytes.
    #[rustfmt::skip]
    let cases = vec![
        get("/static/empty.txt").expect(200, "text/plain", Empty).with("content-length", "0").with("accept-ranges", "bytes"),
        get("/static/empty.txt").header("range", "bytes=0-").expect(206, "text/plain", Empty).with("content-range", "bytes 0-0/0").with("content-length", "0"),
        get("/static/empty.txt").header("range", "bytes=0-0").expect(206, "text/plain", Empty).with("content-range", "bytes 0-0/0"),
        get("/static/empty.txt").header("range", "bytes=-1").expect(416, "application/problem+json", Problem("range-not-satisfiable")).with("content-range", "bytes */0"),
        get("/static/empty.txt").header("range", "bytes=1-").expect(416, "application/problem+json", Problem("range-not-satisfiable")).with("content-range", "bytes */0"),
    ];
    run_cases_with(config, &cases).await;
}
