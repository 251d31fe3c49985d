//! `Sensitive<T>`: a secret that cannot leak through `Debug`, `Display` or serialization.

use std::fmt;

/// Holds a secret (an access or refresh token). `Debug` prints `<redacted>`, there is no
/// `Display`, and it does not implement `Serialize`, so it cannot reach a log line or the web view
/// by accident. Read it with [`Sensitive::expose`] only where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a secret.
    pub fn new(secret: T) -> Self {
        Self(secret)
    }

    /// The secret itself, for the one place that must send or store it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Sensitive<String> {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_secret() {
        let token = Sensitive::new("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.secret".to_owned());
        assert_eq!(format!("{token:?}"), "<redacted>");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: Sensitive<String>,
        }
        let printed = format!(
            "{:#?}",
            Holder {
                token: token.clone()
            }
        );
        assert!(!printed.contains("secret"), "{printed}");
        assert!(token.expose().ends_with(".secret"));
    }
}
