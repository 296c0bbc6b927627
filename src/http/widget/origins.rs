//! The browser's `Origin` against the bot's `allowed_origins`, and the CORS answers.

use super::ApiError;
use crate::app::AppState;
use crate::config::bots::Bot;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The browser's `Origin` against the bot's `allowed_origins` (`*`: any). A request without
/// `Origin`, or from this server's own pages, passes. Allowed cross-origin requests get the CORS
/// headers (preflights are answered here); others are refused with 403.
pub(super) async fn origins(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let bot = request.uri().path().split('/').nth(3).unwrap_or_default().to_owned();
    let allowed = match &origin {
        None => true,
        Some(origin) => {
            let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
            let public = state.settings().http.public_url.as_ref();
            origin_allowed(
                origin.to_str().unwrap_or_default(),
                host,
                public,
                state.bots().get(&bot).map(|b| b.as_ref()),
            )
        }
    };
    if !allowed {
        tracing::warn!(bot, origin = ?origin, "widget: a request from an origin this bot does not allow");
        return ApiError::OriginRefused.into_response();
    }
    let preflight = request.method() == Method::OPTIONS;
    let mut response = match preflight {
        true => StatusCode::NO_CONTENT.into_response(),
        false => next.run(request).await,
    };
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(header::VARY, HeaderValue::from_static("origin"));
        if preflight {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST"),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type, last-event-id"),
            );
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
    }
    response
}

/// Whether a browser page at `origin` may call this bot's widget API.
fn origin_allowed(origin: &str, host: Option<&str>, public: Option<&url::Url>, bot: Option<&Bot>) -> bool {
    let Ok(parsed) = url::Url::parse(origin) else {
        return false;
    };
    let authority = |u: &url::Url| match u.port() {
        Some(port) => format!("{}:{port}", u.host_str().unwrap_or_default()),
        None => u.host_str().unwrap_or_default().to_owned(),
    };
    let same_host = host.is_some_and(|h| h.eq_ignore_ascii_case(&authority(&parsed)));
    let public = public.is_some_and(|p| p.origin() == parsed.origin());
    let listed = bot.is_some_and(|b| {
        b.channels
            .web
            .allowed_origins
            .iter()
            .any(|o| o == "*" || o.trim_end_matches('/').eq_ignore_ascii_case(origin))
    });
    same_host || public || listed
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn same_host_and_public_origins_pass_and_others_need_the_list() {
        let public = url::Url::parse("https://bot.example.fr").unwrap();
        assert!(origin_allowed(
            "http://127.0.0.1:8080",
            Some("127.0.0.1:8080"),
            None,
            None
        ));
        assert!(origin_allowed(
            "https://bot.example.fr",
            Some("10.0.0.2:8080"),
            Some(&public),
            None
        ));
        assert!(!origin_allowed(
            "https://evil.example",
            Some("127.0.0.1:8080"),
            Some(&public),
            None
        ));
        assert!(!origin_allowed("null", Some("127.0.0.1:8080"), None, None));
    }
}
