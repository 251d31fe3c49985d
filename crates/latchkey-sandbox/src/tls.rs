//! HTTPS for the sandbox: a throwaway certificate authority made at start, a server certificate
//! for `127.0.0.1`, `::1` and `localhost` signed by it, and a listener that terminates TLS in
//! front of the same router. Microsoft's libraries refuse plain-HTTP authorities (MSAL's
//! `canonicalize()` demands `https`, see `graph-pim-api.md` §8), so a client that trusts this CA
//! can talk to the sandbox exactly as it talks to Entra ID, with nothing patched.
//!
//! The CA's key lives only in memory and dies with the process: trusting the CA PEM trusts this
//! one run of the sandbox, nothing else.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A handshake that has not finished by then is dropped, so a silent peer cannot pin a task.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Finished handshakes waiting for the server to take them.
const ACCEPT_QUEUE: usize = 64;

/// The sandbox's certificate authority and the server identity it signed.
#[derive(Clone)]
pub struct SandboxCa {
    ca_pem: String,
    server_config: Arc<ServerConfig>,
}

impl std::fmt::Debug for SandboxCa {
    // The server config holds the private key; print only what is public.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxCa")
            .field("ca_pem", &self.ca_pem)
            .finish_non_exhaustive()
    }
}

fn tls_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("sandbox TLS setup: {e}"))
}

/// Valid from yesterday (clock skew between processes) for `years` years.
fn validity(params: &mut CertificateParams, years: i32) {
    let today = Utc::now().date_naive();
    let from = today.pred_opt().unwrap_or(today);
    // `date_time_ymd` takes a month and day; both come from a real date, so they fit in u8.
    params.not_before = rcgen::date_time_ymd(from.year(), from.month() as u8, from.day() as u8);
    params.not_after = rcgen::date_time_ymd(
        from.year() + years,
        from.month() as u8,
        from.day().min(28) as u8,
    );
}

impl SandboxCa {
    /// Makes a new CA and a server certificate for the loopback names.
    pub fn generate() -> io::Result<Self> {
        let ca_key = KeyPair::generate().map_err(tls_error)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "Latchkey sandbox tenant CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        validity(&mut ca_params, 1);
        let ca_cert = ca_params.self_signed(&ca_key).map_err(tls_error)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate().map_err(tls_error)?;
        let names = ["127.0.0.1", "::1", "localhost"]
            .map(str::to_owned)
            .to_vec();
        let mut server_params = CertificateParams::new(names).map_err(tls_error)?;
        server_params
            .distinguished_name
            .push(DnType::CommonName, "Latchkey sandbox tenant");
        server_params.is_ca = IsCa::ExplicitNoCa;
        server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        // OpenSSL 3's strict mode (Python 3.13 turns it on by default) wants the AKI on leaves.
        server_params.use_authority_key_identifier_extension = true;
        validity(&mut server_params, 1);
        let server_cert = server_params
            .signed_by(&server_key, &issuer)
            .map_err(tls_error)?;

        let chain = vec![
            CertificateDer::from(server_cert.der().to_vec()),
            CertificateDer::from(ca_cert.der().to_vec()),
        ];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        // An explicit provider: `ServerConfig::builder()` panics when a build links both ring
        // and aws-lc-rs and no process default was installed.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(tls_error)?;
        // The workspace builds axum with HTTP/1 only; announcing h2 would make HTTP/2-capable
        // clients (reqwest, httpx) pick a protocol the server then cannot speak.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            ca_pem: ca_cert.pem(),
            server_config: Arc::new(config),
        })
    }

    /// The CA certificate (PEM) a client must trust to reach this sandbox over HTTPS.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
}

/// A TCP listener that hands the server only connections whose TLS handshake finished.
///
/// Handshakes run on their own tasks so one slow or silent client cannot hold up the others.
pub struct TlsListener {
    local_addr: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    acceptor_task: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `listener`, terminating TLS with `ca`'s server certificate.
    pub fn new(listener: TcpListener, ca: &SandboxCa) -> io::Result<Self> {
        let local_addr = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(ca.server_config.clone());
        let (tx, ready) = mpsc::channel(ACCEPT_QUEUE);
        let acceptor_task = tokio::spawn(accept_loop(listener, acceptor, tx));
        Ok(Self {
            local_addr,
            ready,
            acceptor_task,
        })
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    tx: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Same policy as axum's TCP listener: out of file descriptors and the like are
                // transient, so wait a moment rather than spin or give up.
                tracing::warn!(error = %e, "sandbox TLS accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => {
                    let _ = tx.send((tls, peer)).await;
                }
                // A client that does not trust the CA aborts here; that is its business.
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        // The server dropped the listener (shutdown): stop taking connections on the port.
        self.acceptor_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // Only if the accept loop died (it never returns on its own): no more connections.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_pem_is_one_certificate() {
        let ca = SandboxCa::generate().unwrap();
        assert!(ca.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(ca.ca_pem().matches("BEGIN CERTIFICATE").count(), 1);
        assert!(!format!("{ca:?}").contains("PRIVATE KEY"));
    }

    #[test]
    fn every_run_makes_a_different_ca() {
        let a = SandboxCa::generate().unwrap();
        let b = SandboxCa::generate().unwrap();
        assert_ne!(a.ca_pem(), b.ca_pem());
    }
}
