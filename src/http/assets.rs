//! The widget's files and the demo page, built into the binary from `web/`: `GET /widget.js`,
//! `GET /widget.css` (gzip when the browser takes it, an `ETag` so a page load revalidates with a
//! 304), `GET /` (a studio page with the widget embedded, for a first run) and
//! `GET /api/widget/openapi.json` (the widget API's OpenAPI description).

use crate::app::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::io::Write;
use std::sync::OnceLock;

/// A file served as built, with its compressed form and tag computed once.
struct Asset {
    content_type: &'static str,
    raw: &'static str,
    compressed: OnceLock<(Vec<u8>, String)>,
}

impl Asset {
    const fn new(content_type: &'static str, raw: &'static str) -> Self {
        Self {
            content_type,
            raw,
            compressed: OnceLock::new(),
        }
    }

    /// The gzip body and the `ETag`.
    fn prepared(&self) -> &(Vec<u8>, String) {
        self.compressed.get_or_init(|| {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(self.raw.as_bytes());
            let tag = format!(
                "\"{}\"",
                digest[..12].iter().map(|b| format!("{b:02x}")).collect::<String>()
            );
            (gzip(self.raw.as_bytes()), tag)
        })
    }

    fn respond(&self, headers: &HeaderMap) -> Response {
        let (gz, tag) = self.prepared();
        let cache = [
            (
                header::ETAG,
                HeaderValue::from_str(tag).unwrap_or(HeaderValue::from_static("\"0\"")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
        ];
        let matches = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
        if matches {
            return (StatusCode::NOT_MODIFIED, cache).into_response();
        }
        let takes_gzip = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
        let kind = (header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        match takes_gzip {
            true => (
                cache,
                [kind, (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))],
                gz.clone(),
            )
                .into_response(),
            false => (cache, [kind], self.raw).into_response(),
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

static WIDGET_JS: Asset = Asset::new("text/javascript; charset=utf-8", include_str!("../../web/widget.js"));
static WIDGET_CSS: Asset = Asset::new("text/css; charset=utf-8", include_str!("../../web/widget.css"));
const DEMO_PAGE: &str = include_str!("../../web/demo.html");

/// `GET /widget.js`.
pub async fn widget_js(headers: HeaderMap) -> Response {
    WIDGET_JS.respond(&headers)
}

/// `GET /widget.css`.
pub async fn widget_css(headers: HeaderMap) -> Response {
    WIDGET_CSS.respond(&headers)
}

/// The sizes a browser downloads on a first visit: widget.js and widget.css, raw and gzipped.
pub fn widget_sizes() -> [(&'static str, usize, usize); 2] {
    [("widget.js", &WIDGET_JS), ("widget.css", &WIDGET_CSS)]
        .map(|(name, asset)| (name, asset.raw.len(), asset.prepared().0.len()))
}

/// `GET /`: the demo studio page with the widget of the first bot that has it on.
pub async fn demo_page(State(state): State<AppState>) -> Response {
    let Some(bot) = state.bots().iter().find(|b| b.channels.web.enabled) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let page = DEMO_PAGE
        .replace("{{bot}}", &escape(bot.id.as_str()))
        .replace("{{studio}}", &escape(&bot.name));
    ([(header::CACHE_CONTROL, "no-cache")], Html(page)).into_response()
}

/// `GET /api/widget/openapi.json`.
pub async fn openapi() -> impl IntoResponse {
    use utoipa::OpenApi;
    axum::Json(super::openapi::WidgetApi::openapi())
}

/// Text made safe to put in HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
