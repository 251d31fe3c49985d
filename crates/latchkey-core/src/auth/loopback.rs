//! The loopback redirect listener of the browser sign-in (RFC 8252 §7.3): a tiny HTTP/1.1
//! server on 127.0.0.1 that waits for `GET /?code=…&state=…`, answers the browser with a short
//! page, and ignores everything else (favicon requests, stale tabs, other apps' guesses).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::error::{Error, Result};

/// A browser that connects and sends nothing is dropped after this long.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Redirects are one request line and a few headers; anything larger is not one.
const MAX_REQUEST: usize = 16 * 1024;

/// What the redirect carried.
pub(super) enum Redirect {
    /// The authorization code.
    Code(String),
    /// The service's `error` and `error_description`.
    Refused(Error),
}

/// Accepts connections until one carries a redirect with `expected_state`.
pub(super) async fn wait_for_redirect(listener: &TcpListener, expected_state: &str) -> Redirect {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        if let Some(redirect) = handle(stream, expected_state).await {
            return redirect;
        }
    }
}

async fn handle(mut stream: TcpStream, expected_state: &str) -> Option<Redirect> {
    let target = tokio::time::timeout(READ_TIMEOUT, request_target(&mut stream))
        .await
        .ok()
        .flatten()?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    if path != "/" {
        respond(
            &mut stream,
            "404 Not Found",
            "Not found",
            "This address only takes Latchkey's sign-in answer.",
        )
        .await;
        return None;
    }
    let field = |name: &str| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if field("state").as_deref() != Some(expected_state) {
        respond(&mut stream, "400 Bad Request", "Not this sign-in", "This answer does not belong to the sign-in Latchkey is waiting for. Go back to Latchkey and start the sign-in again if needed.").await;
        return None;
    }
    if let Some(code) = field("code") {
        respond(
            &mut stream,
            "200 OK",
            "You're signed in",
            "You can close this window and return to Latchkey.",
        )
        .await;
        return Some(Redirect::Code(code));
    }
    let error = field("error").unwrap_or_else(|| "invalid_request".to_owned());
    let description = field("error_description");
    let refused = super::aadsts::classify(&error, description.as_deref());
    respond(
        &mut stream,
        "200 OK",
        "Sign-in didn't finish",
        &format!("{} You can close this window.", refused.message),
    )
    .await;
    Some(Redirect::Refused(refused))
}

/// Reads the request head and returns the target of a `GET`.
async fn request_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 || head.len() + n > MAX_REQUEST {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = std::str::from_utf8(&head).ok()?.lines().next()?;
    let mut parts = line.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target.to_owned()),
        _ => None,
    }
}

async fn respond(stream: &mut TcpStream, status: &str, title: &str, text: &str) {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Latchkey</title></head>\
         <body style=\"font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh\">\
         <main><h1>{title}</h1><p>{}</p></main></body></html>",
        escape(text),
        title = escape(title),
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may already be gone; the sign-in does not depend on it reading this.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Binds the listener: 127.0.0.1 on a free port (the app registration's `http://localhost`
/// matches any port, RFC 8252 §7.3).
pub(super) async fn bind() -> Result<(TcpListener, u16)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
        Error::internal(format!(
            "Can't listen on 127.0.0.1 for the browser sign-in: {e}"
        ))
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::internal(format!("Can't read the sign-in listener's port: {e}")))?
        .port();
    Ok((listener, port))
}
