//! The one HTTP client every request goes through: hyper 1 with rustls on
//! ring, trusting the system's roots plus a CA bundle when one is given.
//!
//! The Rust SDK reads neither `AWS_CA_BUNDLE` nor a profile's `ca_bundle`,
//! which the AWS CLI honours, so behind a TLS-inspecting proxy nothing would
//! work. wa-bulk reads them here (the environment first, as the CLI does)
//! and checks the bundle itself: the SDK's TLS setup panics on a bad one.

use std::path::Path;

use aws_sdk_wellarchitected::config::SharedHttpClient;
use aws_smithy_http_client::Builder;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// PEM certificates to trust besides the system's, checked.
#[derive(Debug, Clone)]
pub struct CaBundle(Vec<u8>);

impl CaBundle {
    /// Reads and checks a PEM bundle; the error names the file and what is
    /// wrong with it, for a one-line message.
    pub fn read(path: &Path) -> Result<CaBundle, String> {
        let bytes =
            std::fs::read(path).map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
        let mut roots = rustls::RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(&bytes) {
            let certificate = certificate
                .map_err(|error| format!("{}: not a PEM certificate bundle: {error}", path.display()))?;
            roots
                .add(certificate)
                .map_err(|error| format!("{}: a certificate cannot be used: {error}", path.display()))?;
        }
        if roots.is_empty() {
            return Err(format!("{}: holds no PEM certificate", path.display()));
        }
        Ok(CaBundle(bytes))
    }
}

/// An HTTPS (and HTTP) client trusting the system's roots (which
/// `SSL_CERT_FILE` replaces) and `bundle`.
pub fn client(bundle: Option<&CaBundle>) -> SharedHttpClient {
    let mut roots = TrustStore::default();
    if let Some(CaBundle(pem)) = bundle {
        roots = roots.with_pem_certificate(pem.clone());
    }
    let context =
        TlsContext::builder().with_trust_store(roots).build().expect("a trust store is always valid");
    Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::Ring)).tls_context(context).build_https()
}
