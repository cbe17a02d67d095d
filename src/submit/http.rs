//! The one HTTP client every request goes through: hyper 1 with rustls on
//! ring, trusting the system's roots plus a CA bundle when one is given.
//!
//! The Rust SDK reads neither `AWS_CA_BUNDLE` nor a profile's `ca_bundle`,
//! which the AWS CLI honours, so behind a TLS-inspecting proxy nothing would
//! work. wa-bulk reads them here (the environment first, as the CLI does)
//! and checks the bundle itself: the SDK's TLS setup panics on a bad one.
//!
//! The SDK's client builds a TLS connector, reading and parsing every
//! system root certificate, each time a service client is made from it
//! ("so that native certs load at client initialization time"). A run of
//! many lanes makes a client per lane and one per role: that was a tenth of
//! a 200-lane import's CPU. [`ValidatedOnce`] lets that happen once; the
//! connectors requests use are cached by the SDK's client as before.

use std::path::Path;

use std::sync::atomic::{AtomicBool, Ordering};

use aws_sdk_wellarchitected::config::SharedHttpClient;
use aws_smithy_http_client::Builder;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorSettings, SharedHttpConnector};
use aws_smithy_runtime_api::client::runtime_components::{RuntimeComponents, RuntimeComponentsBuilder};
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
    let inner = Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(context)
        .build_https();
    SharedHttpClient::new(ValidatedOnce { inner, validated: AtomicBool::new(false) })
}

/// The SDK's client, whose check of a new service client's configuration
/// (building a connector, the root certificates parsed) runs until it
/// passes once.
#[derive(Debug)]
struct ValidatedOnce {
    inner: SharedHttpClient,
    validated: AtomicBool,
}

impl HttpClient for ValidatedOnce {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.inner.http_connector(settings, components)
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        config: &aws_sdk_wellarchitected::config::ConfigBag,
    ) -> Result<(), BoxError> {
        if self.validated.load(Ordering::Acquire) {
            return Ok(());
        }
        let checked = self.inner.validate_base_client_config(components, config);
        self.validated.store(checked.is_ok(), Ordering::Release);
        checked
    }

    fn validate_final_config(
        &self,
        components: &RuntimeComponents,
        config: &aws_sdk_wellarchitected::config::ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_final_config(components, config)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}
