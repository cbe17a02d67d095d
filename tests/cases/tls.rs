//! Trust: a TLS endpoint whose certificate a CA made here signs, in front of
//! the emulator. wa-bulk refuses it as the system's roots say, and trusts it
//! through `AWS_CA_BUNDLE` or a profile's `ca_bundle`, as the AWS CLI does.

use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use wa_bulk::emulator::{Emulator, EmulatorConfig};
use wa_bulk::report::Status::Created;

use super::import::{count, import, import_to, plain, report, run, sheet, text};
use super::support::{Fixture, assert_contains};

/// A TLS front for `backend` on 127.0.0.1 with a certificate for
/// `localhost`; returns its URL and the signing CA's PEM.
async fn tls_front(backend: std::net::SocketAddr) -> (String, String) {
    let mut ca_params = CertificateParams::new(Vec::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let certificate =
        CertificateParams::new(vec!["localhost".to_owned()]).unwrap().signed_by(&key, &ca).unwrap();
    let config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![certificate.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that does not trust us ends the handshake: fine.
                let Ok(mut tls) = acceptor.accept(socket).await else { return };
                let Ok(mut plain) = TcpStream::connect(backend).await else { return };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (format!("https://localhost:{port}"), ca.pem())
}

fn backend(emulator: &Emulator) -> std::net::SocketAddr {
    emulator.endpoint_url().trim_start_matches("http://").parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_ca_is_trusted_through_aws_ca_bundle_or_the_profiles_ca_bundle() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let (endpoint, ca) = tls_front(backend(&emulator)).await;
    let fixture = Fixture::new();
    let bundle = fixture.write("ca.pem", ca);
    let file = sheet(&fixture, 5, plain);
    let report_path = file.with_file_name("rows.csv.report.csv");

    // The system's roots do not know the CA: one line naming the endpoint and the cause.
    let output = run(&mut import_to(&file, Some(&endpoint), &[])).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert_contains(&text(&output), &format!("cannot reach {endpoint}"));
    assert_contains(&text(&output), "invalid peer certificate: UnknownIssuer");
    assert!(
        report(&file).iter().all(|record| record.attempts == 0),
        "an untrusted certificate is not retried"
    );
    assert_eq!(emulator.stats().requests, 0, "nothing got through the handshake");
    std::fs::remove_file(&report_path).unwrap();

    let mut command = import_to(&file, Some(&endpoint), &[]);
    let output = run(command.env("AWS_CA_BUNDLE", &bundle)).await;
    assert_eq!(output.status.code(), Some(0), "AWS_CA_BUNDLE: {}", text(&output));
    assert_eq!(count(&report(&file), Created), 5);

    let config = fixture.write("config", format!("[default]\nca_bundle = {}\n", bundle.display()));
    let output = run(import_to(&file, Some(&endpoint), &["--force"]).env("AWS_CONFIG_FILE", &config)).await;
    assert_eq!(output.status.code(), Some(0), "ca_bundle: {}", text(&output));
    assert_eq!(emulator.workloads().len(), 5, "the second run found them all in place");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ca_bundle_that_is_not_one_is_a_configuration_error_naming_it() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 2, plain);
    let cases: [(&str, &[u8]); 3] = [
        ("missing.pem", b""),
        ("empty.pem", b"no certificate here\n"),
        (
            "garbage.pem",
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        ),
    ];
    for (name, content) in cases {
        let path = if name == "missing.pem" { fixture.path(name) } else { fixture.write(name, content) };
        let output = run(import(&file, &emulator, &[]).env("AWS_CA_BUNDLE", &path)).await;
        assert_eq!(output.status.code(), Some(2), "{name}: {}", text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert_contains(&stderr, &format!("AWS_CA_BUNDLE: {}", path.display()));
        assert!(!Path::new(&file.with_file_name("rows.csv.report.csv")).exists());
    }
    assert_eq!(emulator.stats().requests, 0);
}
