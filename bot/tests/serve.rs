//! `paved serve` as a process: it starts on embedded defaults, answers its health check, and
//! stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn serve_starts_answers_and_stops_on_sigterm() {
    let dir = tempfile::Builder::new().prefix("paved-serve-").tempdir().unwrap();
    // A free port for the listener: bind, read it, release it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::write(
        dir.path().join("paved.toml"),
        format!("listen = \"127.0.0.1:{port}\"\n[audit]\nworker = \"external\"\n[log]\nfilter = \"info\"\n"),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_paved"))
        .arg("serve")
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .env_remove("PAVED_POLICIES")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the "serving" log line, on a thread so that the wait has a timeout.
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Read to the end: a closed pipe would make the server's own logging fail.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => {
                let serving = line.contains("paved is serving");
                seen.push(line);
                if serving {
                    break;
                }
            }
            Err(_) => {
                let _ = child.kill();
                panic!("paved serve did not start: {seen:#?}");
            }
        }
    }
    assert!(seen.iter().all(|l| !l.contains("password")), "{seen:#?}");

    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"), "{answer}");

    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = child.wait_with_output();
        let _ = done_tx.send(out);
    });
    let out = done_rx.recv_timeout(Duration::from_secs(20)).expect("paved serve stops within 20 s of SIGTERM").unwrap();
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(out.status.success(), "{:?}: {rest:#?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "paved stopped.");
    // The database and the audit keys of the embedded defaults were created where it ran.
    assert!(dir.path().join("paved.db").exists());
    assert!(dir.path().join(".paved/audit.pub").exists());
}
