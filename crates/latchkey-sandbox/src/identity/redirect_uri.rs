//! Which redirect URIs an app may use. Entra's rule for native apps (RFC 8252 §7.3/§8.3): for a
//! registered loopback URI (`http://localhost`, `http://127.0.0.1`) the port is ignored, so an app
//! can listen on any free port; every other URI must match exactly.

/// The parts of an `http(s)://host[:port]/path` URI that matching looks at.
struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    path: &'a str,
}

fn parts(uri: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = uri.split_once("://")?;
    if uri.contains('#') {
        return None;
    }
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map(|(h, _)| h)?,
        None => authority.split(':').next()?,
    };
    Some(Parts {
        scheme,
        host,
        path: if path.is_empty() { "/" } else { path },
    })
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "::1"
}

/// Whether `requested` matches one of the app's `registered` redirect URIs.
pub fn is_registered(registered: &[String], requested: &str) -> bool {
    let Some(asked) = parts(requested) else {
        return false;
    };
    registered.iter().any(|r| {
        if r == requested {
            return true;
        }
        match parts(r) {
            Some(reg) if reg.scheme == "http" && is_loopback(reg.host) => {
                asked.scheme == "http"
                    && asked.host.eq_ignore_ascii_case(reg.host)
                    && asked.path == reg.path
            }
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_ports_are_ignored_and_everything_else_must_match() {
        let registered = vec![
            "http://localhost".to_owned(),
            "https://app.example/cb".to_owned(),
        ];
        for ok in [
            "http://localhost",
            "http://localhost/",
            "http://localhost:53123",
            "http://LOCALHOST:1/",
            "https://app.example/cb",
        ] {
            assert!(is_registered(&registered, ok), "{ok}");
        }
        for refused in [
            "http://127.0.0.1:53123/",
            "https://localhost:53123/",
            "http://localhost:53123/other",
            "http://localhost.evil.example/",
            "http://evil.example/?x=http://localhost",
            "https://app.example/cb/",
            "http://localhost/#frag",
            "localhost",
        ] {
            assert!(!is_registered(&registered, refused), "{refused}");
        }
        let v4 = vec!["http://127.0.0.1".to_owned()];
        assert!(is_registered(&v4, "http://127.0.0.1:8080/"));
    }
}
