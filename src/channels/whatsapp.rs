//! WhatsApp through Twilio: `POST /webhooks/twilio/{bot}` (form-encoded) is checked against
//! `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + each parameter name and value, sorted
//! by name)), where URL is `http.public_url` + the request's path and query — never the Host
//! header. Replies go out through the Messages REST API (Basic auth): choices as numbered lines,
//! tickets by `MediaUrl` (the public ticket URL). Incoming media is fetched with the account's
//! credentials.

use crate::config::bots::WhatsappChannel;
use crate::domain::contact::Channel;
use crate::domain::reply::Reply;
use crate::engine::{Content, Inbound};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

/// Twilio's error code for a message outside the 24-hour customer-service window.
pub const OUTSIDE_WINDOW: i64 = 63016;

/// The signature Twilio computes for a request to `url` with these form parameters.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut data = url.to_owned();
    for (name, value) in sorted {
        data.push_str(name);
        data.push_str(value);
    }
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `given` is the signature of this request (constant-time compare).
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], given: &str) -> bool {
    let expected = signature(auth_token, url, params);
    bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// What a webhook asks of the engine, and the media to fetch first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The message (a photo's bytes are fetched from `media`).
    pub inbound: Inbound,
    /// The URL of an image the person sent.
    pub media: Option<String>,
}

/// Reads a webhook's form parameters; `None` without a `MessageSid` or a sender.
pub fn inbound(bot: &str, params: &[(String, String)]) -> Option<Received> {
    let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let sid = get("MessageSid").or_else(|| get("SmsMessageSid"))?;
    let from = get("From")?.trim_start_matches("whatsapp:").to_owned();
    if from.is_empty() {
        return None;
    }
    let image = (get("NumMedia").unwrap_or("0") != "0"
        && get("MediaContentType0").is_some_and(|t| t.starts_with("image/")))
    .then(|| get("MediaUrl0").map(str::to_owned))
    .flatten();
    let text = get("ButtonPayload")
        .or_else(|| get("Body"))
        .unwrap_or_default()
        .to_owned();
    let content = match image {
        Some(_) => Content::Photo { bytes: Vec::new() },
        None => Content::Text { text },
    };
    Some(Received {
        inbound: Inbound {
            bot: bot.to_owned(),
            channel: Channel::Whatsapp,
            sender: from,
            message_id: sid.to_owned(),
            content,
            language: None,
        },
        media: image,
    })
}

/// A reply as WhatsApp text: choices become numbered lines ("1", "2"… or the words answer them).
pub fn render(reply: &Reply) -> String {
    let mut text = reply.text.clone();
    for (n, choice) in reply.choices.iter().enumerate() {
        text.push_str(&format!("\n{}. {}", n + 1, choice.label));
    }
    text
}

/// One bot's Twilio client.
#[derive(Clone)]
pub struct Twilio {
    http: reqwest::Client,
    api_url: url::Url,
    account_sid: String,
    auth_token: secrecy::SecretString,
    from: String,
}

/// A Twilio call failed.
#[derive(Debug, thiserror::Error)]
#[error("Twilio: {message} (code {code:?}, HTTP {status})")]
pub struct TwilioError {
    /// HTTP status (0 when the request did not complete).
    pub status: u16,
    /// Twilio's error code.
    pub code: Option<i64>,
    /// What Twilio said.
    pub message: String,
}

impl Twilio {
    /// A client for this account, talking to `api_url`.
    pub fn new(channel: &WhatsappChannel, api_url: &url::Url) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(20))
                .build()
                .expect("a reqwest client with rustls"),
            api_url: api_url.clone(),
            account_sid: channel.account_sid.clone(),
            auth_token: channel.auth_token.clone(),
            from: channel.from.clone(),
        }
    }

    /// The auth token (signs webhooks).
    pub fn auth_token(&self) -> &str {
        self.auth_token.expose_secret()
    }

    /// Sends one message to a number (`+33…`), with an image by URL.
    pub async fn send(&self, to: &str, body: &str, media_url: Option<&str>) -> Result<(), TwilioError> {
        let url = self
            .api_url
            .join(&format!("2010-04-01/Accounts/{}/Messages.json", self.account_sid))
            .map_err(|e| TwilioError {
                status: 0,
                code: None,
                message: e.to_string(),
            })?;
        let to = format!("whatsapp:{to}");
        let mut form = vec![("From", self.from.as_str()), ("To", to.as_str()), ("Body", body)];
        if let Some(media) = media_url {
            form.push(("MediaUrl", media));
        }
        let response = self
            .http
            .post(url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .form(&form)
            .send()
            .await
            .map_err(|e| TwilioError {
                status: 0,
                code: None,
                message: e.to_string(),
            })?;
        let status = response.status().as_u16();
        if response.status().is_success() {
            return Ok(());
        }
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        Err(TwilioError {
            status,
            code: body["code"].as_i64(),
            message: body["message"].as_str().unwrap_or("no message").to_owned(),
        })
    }

    /// Fetches a media file the person sent (Twilio's media URLs need the account's credentials).
    pub async fn fetch(&self, url: &str) -> Result<Vec<u8>, TwilioError> {
        let failed = |status: u16, message: String| TwilioError {
            status,
            code: None,
            message,
        };
        let response = self
            .http
            .get(url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .send()
            .await
            .map_err(|e| failed(0, e.to_string()))?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            return Err(failed(status, "media download refused".into()));
        }
        let bytes = response.bytes().await.map_err(|e| failed(status, e.to_string()))?;
        Ok(bytes.to_vec())
    }
}

/// The form parameters of a body, in order.
pub fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675310"),
            ("Digits", "1234"),
            ("From", "+14158675310"),
            ("To", "+18005551212"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn twilios_documented_example_signs_as_documented() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(signature("12345", url, &vector()), "GvWf1cFY/Q7PnoempGyD5oXAezc=");
        assert!(verify("12345", url, &vector(), "GvWf1cFY/Q7PnoempGyD5oXAezc="));
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let mut changed = vector();
        changed[2].1 = "1235".into();
        assert!(!verify("12345", url, &changed, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        assert!(!verify(
            "12345",
            "https://mycompany.com/myapp.php?foo=1",
            &vector(),
            "GvWf1cFY/Q7PnoempGyD5oXAezc="
        ));
        assert!(!verify("54321", url, &vector(), "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        assert!(!verify("12345", url, &vector(), ""));
    }

    #[test]
    fn a_webhook_becomes_an_inbound_message() {
        let params: Vec<(String, String)> = [
            ("MessageSid", "SM1"),
            ("From", "whatsapp:+33612345678"),
            ("Body", "Bonjour"),
            ("NumMedia", "0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let received = inbound("demo", &params).unwrap();
        assert_eq!(received.inbound.sender, "+33612345678");
        assert_eq!(received.inbound.message_id, "SM1");
        assert_eq!(received.inbound.content, Content::Text { text: "Bonjour".into() });
        assert_eq!(received.media, None);
    }
}
