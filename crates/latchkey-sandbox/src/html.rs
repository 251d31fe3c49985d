//! The sandbox's few HTML pages: escaping and a shared layout.

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A complete page. `outcome` is machine-readable (`data-outcome`) for scripts and tests;
/// `body` must already be escaped.
pub fn page(title: &str, outcome: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Latchkey sandbox tenant</title>
<style>
  :root {{ color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }}
  body {{ margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; }}
  main {{ width: min(26rem, 92vw); padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 10px; }}
  .tag {{ font-size: .8rem; letter-spacing: .04em; text-transform: uppercase; opacity: .7; }}
  h1 {{ font-size: 1.4rem; margin: .3rem 0 1rem; }}
  label {{ display: block; margin: 1rem 0 .3rem; font-weight: 600; }}
  input, select {{ width: 100%; box-sizing: border-box; padding: .55rem; font-size: 1.05rem; }}
  input[name=user_code] {{ font-family: ui-monospace, monospace; letter-spacing: .15em; text-transform: uppercase; }}
  .actions {{ display: flex; gap: .6rem; margin-top: 1.4rem; }}
  button {{ padding: .55rem 1.2rem; font-size: 1rem; cursor: pointer; }}
  .error {{ color: #b3261e; font-weight: 600; }}
  .note {{ font-size: .85rem; opacity: .75; }}
</style></head>
<body><main data-outcome="{outcome}">
<div class="tag">Latchkey sandbox tenant</div>
<h1>{title}</h1>
{body}
</main></body></html>"#,
        title = escape(title),
        outcome = escape(outcome),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">O'Neil & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;"
        );
    }
}
