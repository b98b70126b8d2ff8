//! The one TLS crypto provider of the workspace (ring), installed once per process.
//!
//! reqwest (`rustls-no-provider`), kube and the AWS SDK all use rustls; with no provider
//! installed they panic at run time. Every binary calls [`ensure_crypto_provider`] first, and
//! every client constructor calls it too, so test binaries are covered without ceremony.

use std::sync::Once;

static INSTALL: Once = Once::new();

/// Installs rustls' ring provider as the process default; idempotent and thread-safe.
pub fn ensure_crypto_provider() {
    INSTALL.call_once(|| {
        // Err means another provider was installed first; that one serves just as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
