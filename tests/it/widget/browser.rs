//! The widget in real headless Chromium (Debian's `chromium` and `chromium-driver`, driven over
//! WebDriver by fantoccini): the demo page, the lead form (an invalid email first), a booking
//! through the buttons down to the ticket image, a reload that greets the visitor by name without
//! the form, a message that looks like HTML shown as text, the host page's CSS kept out, and the
//! phone layout. Screenshots go to `target/screenshots/`.
//!
//! `scripts/test` installs Chromium and sets `COACHBOT_REQUIRE_BROWSER=1`, so a machine without
//! it fails there instead of skipping.

use fantoccini::elements::{Element, ShadowRoot};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// chromedriver on a free port; killed when dropped.
pub struct Driver {
    child: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether this machine has Chromium and its driver; panics when the run requires them.
pub fn available() -> bool {
    let found = ["/usr/bin/chromium", "/usr/bin/chromedriver"]
        .iter()
        .all(|p| std::path::Path::new(p).exists());
    if !found && std::env::var("COACHBOT_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("COACHBOT_REQUIRE_BROWSER=1 but /usr/bin/chromium or /usr/bin/chromedriver is missing");
    }
    found
}

impl Driver {
    /// Starts chromedriver and a headless Chromium session with a fresh profile.
    pub async fn start() -> (Self, Client) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-quic",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,900",
            "--lang=fr-FR",
            "--accept-lang=fr-FR",
        ]
        .map(str::to_owned)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let capabilities = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&url)
            .await
            .expect("a Chromium session");
        let driver = Self {
            child,
            _profile: profile,
        };
        (driver, client)
    }
}

/// Where the screenshots go.
fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join(name), png).unwrap();
}

/// The widget's shadow root, once the script built it.
async fn widget(client: &Client) -> ShadowRoot {
    for _ in 0..150 {
        if let Ok(host) = client.find(Locator::Css("#coachbot-widget")).await
            && let Ok(root) = host.shadow_root().await
            && root.find(Locator::Css(".launcher")).await.is_ok()
        {
            return root;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the widget did not appear");
}

/// The first element matching `css` that `test` accepts, waiting up to 20 s.
async fn wait_for<F>(root: &ShadowRoot, css: &str, test: F) -> Element
where
    F: AsyncFn(&Element) -> bool,
{
    for _ in 0..200 {
        for element in root.find_all(Locator::Css(css)).await.unwrap_or_default() {
            if test(&element).await {
                return element;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nothing matched {css} in 20 s");
}

async fn any(_: &Element) -> bool {
    true
}

/// The enabled button of the latest choices whose label contains `label`.
async fn button(root: &ShadowRoot, label: &str) -> Element {
    let label = label.to_owned();
    wait_for(root, ".choices button:not([disabled])", async |b: &Element| {
        b.text().await.is_ok_and(|t| t.contains(&label))
    })
    .await
}

/// The `n`-th enabled button of the latest choices.
async fn nth_button(root: &ShadowRoot, n: usize) -> Element {
    wait_for(root, ".choices button:not([disabled])", any).await;
    root.find_all(Locator::Css(".choices button:not([disabled])"))
        .await
        .unwrap()
        .remove(n)
}

/// A bot bubble containing `text`.
async fn bot_says(root: &ShadowRoot, text: &str) -> Element {
    let text = text.to_owned();
    wait_for(root, ".msg.bot", async |m: &Element| {
        m.text().await.is_ok_and(|t| t.contains(&text))
    })
    .await
}

async fn fill(root: &ShadowRoot, name: &str, value: &str) {
    let input = root.find(Locator::Css(&format!("input[name={name}]"))).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_books_a_class_in_the_widget_and_is_remembered() {
    if !available() {
        eprintln!("skipped: Chromium is not installed (scripts/test installs it)");
        return;
    }
    let app = super::start("sqlite", "[widget]\npoll_ms = 300").await;
    let (_driver, client) = Driver::start().await;
    client.goto(&format!("{}/", app.base)).await.unwrap();
    let root = widget(&client).await;
    let launcher = root.find(Locator::Css(".launcher")).await.unwrap();

    // The page's aggressive CSS stays out of the widget, and the widget's stays out of the page.
    assert_eq!(
        launcher.css_value("background-color").await.unwrap(),
        "rgba(124, 58, 237, 1)"
    );
    let page_button = client.find(Locator::Id("page-button")).await.unwrap();
    assert_eq!(
        page_button.css_value("background-color").await.unwrap(),
        "rgba(204, 0, 0, 1)"
    );
    assert_eq!(launcher.attr("aria-expanded").await.unwrap().as_deref(), Some("false"));
    screenshot(&client, "1-closed.png").await;

    launcher.click().await.unwrap();
    let panel = root.find(Locator::Css(".panel")).await.unwrap();
    assert!(panel.is_displayed().await.unwrap());
    assert_eq!(panel.attr("role").await.unwrap().as_deref(), Some("dialog"));
    fill(&root, "name", "Anna").await;
    fill(&root, "email", "anna@").await;
    fill(&root, "phone", "06 12 34 56 78").await;
    root.find(Locator::Css(".submit")).await.unwrap().click().await.unwrap();
    screenshot(&client, "2-form.png").await;
    let error = wait_for(&root, "#cb-email-error", async |e: &Element| {
        e.text().await.is_ok_and(|t| !t.is_empty())
    })
    .await;
    let said = error.text().await.unwrap();
    assert!(said.contains("marie@exemple.fr"), "{said}");
    screenshot(&client, "2-form.png").await;

    fill(&root, "email", "anna.browser@example.fr").await;
    root.find(Locator::Css("input[name=consent]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    root.find(Locator::Css(".submit")).await.unwrap().click().await.unwrap();
    bot_says(&root, "merci Anna").await;

    button(&root, "Réserver un cours").await.click().await.unwrap();
    button(&root, "Yoga doux").await.click().await.unwrap();
    nth_button(&root, 1).await.click().await.unwrap();
    button(&root, "unité").await.click().await.unwrap();
    button(&root, "Non").await.click().await.unwrap();
    bot_says(&root, "Récapitulatif : Yoga doux").await;
    nth_button(&root, 0).await.click().await.unwrap();
    bot_says(&root, "C'est réservé : Yoga doux").await;
    let ticket = wait_for(&root, ".image img", async |img: &Element| {
        img.rectangle()
            .await
            .is_ok_and(|(_, _, width, height)| width > 100.0 && height > 100.0)
    })
    .await;
    let save = root.find(Locator::Css(".image a")).await.unwrap();
    assert!(
        save.attr("download")
            .await
            .unwrap()
            .is_some_and(|n| n.ends_with(".png"))
    );
    let src = ticket.attr("src").await.unwrap().unwrap();
    let png = reqwest::get(&src).await.unwrap().bytes().await.unwrap();
    assert!(
        coachbot::tickets::decode(&png).is_some(),
        "the ticket's QR code reads back"
    );
    screenshot(&client, "3-conversation-with-ticket.png").await;

    // Closed with Escape, a message from the studio (written as another replica or a job would)
    // shows as an unread count on the button.
    let field = root.find(Locator::Css("input[name=text]")).await.unwrap();
    field.send_keys("\u{e00c}").await.unwrap();
    assert!(!panel.is_displayed().await.unwrap(), "Escape closes the panel");
    let anna = client
        .execute("return localStorage.getItem('coachbot:demo:visitor')", vec![])
        .await
        .unwrap();
    let payload = serde_json::json!({ "replies": [{ "text": "À samedi !" }] });
    let message = coachbot::domain::outbox::OutboxMessage::new(
        coachbot::domain::BotId::parse("demo").unwrap(),
        coachbot::domain::contact::Channel::Web,
        anna.as_str().unwrap(),
        payload,
        chrono::Utc::now(),
    );
    app.state.store().unwrap().enqueue(&message).await.unwrap();
    wait_for(&root, ".badge", async |b: &Element| {
        b.text().await.is_ok_and(|t| t == "1")
    })
    .await;
    let label = launcher.attr("aria-label").await.unwrap().unwrap_or_default();
    assert!(label.contains("1 nouveaux messages"), "{label}");

    // Reload: no form, greeted by name.
    client.refresh().await.unwrap();
    let root = widget(&client).await;
    root.find(Locator::Css(".launcher"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    bot_says(&root, "Anna").await;
    assert!(
        root.find(Locator::Css("form.lead")).await.is_err(),
        "the form is skipped"
    );

    // A message that looks like HTML is shown as text.
    fill(&root, "text", "<b>gras</b> <img src=x onerror=alert(1)>").await;
    root.find(Locator::Css(".send")).await.unwrap().click().await.unwrap();
    let mine = wait_for(&root, ".msg.me", async |m: &Element| {
        m.text().await.is_ok_and(|t| t.contains("<b>gras</b>"))
    })
    .await;
    assert!(mine.find(Locator::Css("b")).await.is_err(), "no markup was made");
    assert!(mine.find(Locator::Css("img")).await.is_err());

    // A phone: the panel takes the whole screen.
    client.set_window_size(390, 844).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, _, width, height) = root
        .find(Locator::Css(".panel"))
        .await
        .unwrap()
        .rectangle()
        .await
        .unwrap();
    let inner: f64 = client
        .execute("return window.innerWidth", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert_eq!(width, inner, "full width below 480 px");
    assert!(height > 600.0, "full height: {height}");
    screenshot(&client, "4-mobile-390x844.png").await;

    // "Ce n'est pas moi": the browser forgets Anna and shows an empty form.
    root.find(Locator::Css(".not-me")).await.unwrap().click().await.unwrap();
    let name = wait_for(&root, "input[name=name]", any).await;
    assert_eq!(name.prop("value").await.unwrap().as_deref(), Some(""));
    client.close().await.unwrap();
}
