//! The `coachbot` binary as a person runs it: `check-config`, bad settings, `serve` from a fresh folder.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A fresh working folder with the demo bot, like a new clone.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bots")).unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("bots/demo.toml");
    std::fs::copy(demo, dir.path().join("bots/demo.toml")).unwrap();
    dir
}

fn coachbot(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_coachbot"));
    command.current_dir(dir).env_remove("COACHBOT_CONFIG");
    for (name, _) in std::env::vars() {
        if name.starts_with("COACHBOT__") {
            command.env_remove(name);
        }
    }
    command
}

#[test]
fn check_config_shows_the_settings_and_the_demo_bot_with_secrets_redacted() {
    let dir = workdir();
    let output = coachbot(dir.path())
        .arg("check-config")
        .env(
            "COACHBOT__STORE__MONGODB_URI",
            "mongodb://app:s3cr3t-pw@db.example.net:27017",
        )
        .env("COACHBOT_DEMO_TICKET_KEY", "ticket-key-value")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("store.mongodb_uri = mongodb://app:***@db.example.net:27017"),
        "{text}"
    );
    assert!(
        !text.contains("s3cr3t-pw") && !text.contains("ticket-key-value"),
        "{text}"
    );
    insta::assert_snapshot!(
        "check_config_demo_bot",
        text.lines().filter(|l| l.starts_with("demo:")).collect::<String>()
    );
}

#[test]
fn a_bad_setting_exits_with_status_2_naming_key_value_and_expectation() {
    let dir = workdir();
    let output = coachbot(dir.path())
        .arg("check-config")
        .env("COACHBOT__HTTP__ADDR", "localhost-eighty")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    for part in [
        "http.addr",
        "\"localhost-eighty\"",
        "expected an address and port such as 0.0.0.0:8080",
        "COACHBOT__HTTP__ADDR",
    ] {
        assert!(stderr.contains(part), "missing {part:?} in {stderr}");
    }
}

#[test]
fn a_settings_file_named_by_coachbot_config_is_layered_under_the_environment() {
    let dir = workdir();
    let file = dir.path().join("prod.toml");
    std::fs::write(&file, "[http]\naddr = \"127.0.0.1:9001\"\n[log]\nfilter = \"debug\"\n").unwrap();
    let output = coachbot(dir.path())
        .arg("check-config")
        .env("COACHBOT_CONFIG", &file)
        .env("COACHBOT__LOG__FILTER", "warn")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("http.addr = 127.0.0.1:9001"), "{text}");
    assert!(text.contains("log.filter = warn"), "{text}");

    let missing = coachbot(dir.path())
        .arg("check-config")
        .env("COACHBOT_CONFIG", dir.path().join("nope.toml"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn a_broken_bot_file_exits_with_status_2_naming_the_file_and_the_problem() {
    let dir = workdir();
    let demo = std::fs::read_to_string(dir.path().join("bots/demo.toml")).unwrap();
    std::fs::write(
        dir.path().join("bots/demo.toml"),
        demo.replace("\"mar 18:30\"", "\"mar 25:30\""),
    )
    .unwrap();
    let output = coachbot(dir.path()).arg("check-config").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("demo.toml") && stderr.contains("mar 25:30") && stderr.contains("mar 18:30"),
        "{stderr}"
    );
}

/// Reads the serve log until the listening line and returns the bound address; the rest of the log
/// keeps being drained so the server never writes to a closed pipe.
fn listening_addr(stderr: impl std::io::Read + Send + 'static) -> String {
    let (found, addr) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line
                .split("addr=")
                .nth(1)
                .filter(|_| line.contains("coachbot listening"))
            {
                let _ = found.send(rest.split_whitespace().next().unwrap_or_default().to_owned());
            }
        }
    });
    addr.recv_timeout(Duration::from_secs(60))
        .expect("serve exited before listening")
}

#[tokio::test]
async fn serve_from_a_fresh_folder_creates_the_database_answers_and_stops_on_sigterm() {
    crate::support::init();
    let dir = workdir();
    let mut child = coachbot(dir.path())
        .arg("serve")
        .env("COACHBOT__HTTP__ADDR", "127.0.0.1:0")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let addr = listening_addr(child.stderr.take().unwrap());
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("http://{addr}/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let mut ready = 0;
    for _ in 0..100 {
        ready = client
            .get(format!("http://{addr}/ready"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        if ready == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ready, 200);
    let db: PathBuf = dir.path().join("data/coachbot.db");
    assert!(db.exists(), "data/coachbot.db is created on first start");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful stop exits 0, got {status}");
}

#[test]
fn promo_from_the_cli_prints_codes_then_lists_shows_and_exports_them() {
    let dir = workdir();
    let created = coachbot(dir.path())
        .args(["promo", "--bot", "demo", "4", "-15%", "exp:+30j", "prefix:SALON"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let stdout = String::from_utf8(created.stdout).unwrap();
    let codes: Vec<&str> = stdout.lines().collect();
    assert_eq!(codes.len(), 4, "{stdout}");
    assert!(
        codes.iter().all(|c| c.starts_with("SALON-") && c.len() == 14),
        "{stdout}"
    );
    let stderr = String::from_utf8(created.stderr).unwrap();
    assert!(stderr.contains("4 codes créés (lot "), "{stderr}");
    let batch = stderr
        .split("(lot ")
        .nth(1)
        .unwrap()
        .trim_end()
        .trim_end_matches(").")
        .to_owned();

    let list = coachbot(dir.path())
        .args(["promo", "--bot", "demo", "list"])
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(
        list.contains(&format!("{batch} · -15 % ")) && list.contains("0/4 utilisés"),
        "{list}"
    );

    let show = coachbot(dir.path())
        .args(["promo", "--bot", "demo", "show", &batch])
        .output()
        .unwrap();
    let show = String::from_utf8(show.stdout).unwrap();
    assert!(codes.iter().all(|c| show.contains(c)), "{show}");

    let export = coachbot(dir.path())
        .args(["promo", "--bot", "demo", "export", &batch, "--out", "codes.csv"])
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let csv = std::fs::read_to_string(dir.path().join("codes.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5);
    assert!(
        csv.starts_with("code,remise,fin,max,utilisations,contact,statut\n"),
        "{csv}"
    );

    let edited = coachbot(dir.path())
        .args(["promo", "--bot", "demo", codes[0], "off"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(edited.stdout).unwrap().trim(),
        format!("✅ {} : désactivé", codes[0])
    );
}

#[test]
fn promo_from_the_cli_writes_a_csv_with_out() {
    let dir = workdir();
    let output = coachbot(dir.path())
        .args(["promo", "--bot", "demo", "250", "-5", "--out", "lot.csv", "max:0"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stdout.is_empty(), "codes go to the file");
    let csv = std::fs::read_to_string(dir.path().join("lot.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 250);
    assert!(
        rows.iter().all(|r| r.contains(",-5 €,,illimité,0,,non utilisé")),
        "{}",
        rows[0]
    );
}

#[test]
fn a_wrong_promo_command_exits_with_status_2_and_an_example() {
    let dir = workdir();
    for (args, expected) in [
        (vec!["promo", "--bot", "demo", "10", "20%"], "écrivez -20%"),
        (
            vec!["promo", "--bot", "demo", "10", "-20%", "offre:boxe"],
            "Offres : illimite, pack10, single",
        ),
        (
            vec!["promo", "--bot", "nope", "10", "-20%"],
            "unknown bot \"nope\"; bots here: demo",
        ),
        (
            vec!["promo", "--bot", "demo", "10000001", "-20%"],
            "10000000 au maximum",
        ),
    ] {
        let output = coachbot(dir.path()).args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let list = coachbot(dir.path())
        .args(["promo", "--bot", "demo", "list"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(list.stdout).unwrap().contains("Aucun code promo"),
        "nothing was written"
    );
}

#[tokio::test]
async fn checkin_from_the_cli_reads_the_photo_and_gives_the_verdict() {
    use coachbot::domain::{ContactId, OfferId};
    use coachbot::ops::booking::{BookRequest, book};
    crate::support::init();
    let dir = workdir();
    let db = dir.path().join("data/coachbot.db");
    let store = coachbot::store::sqlite::SqliteStore::connect(db.to_str().unwrap())
        .await
        .unwrap();
    let bot = crate::admin::demo();
    let mut bots = coachbot::config::bots::Bots::default();
    bots.add(bot.clone()).unwrap();
    coachbot::app::seed_catalogs(&store, &bots).await.unwrap();
    let now = chrono::Utc::now();
    coachbot::ops::schedule::plan_ahead(&store, &bot, now).await.unwrap();
    use coachbot::store::prelude::*;
    let later = store
        .list_sessions(
            &bot.id,
            now + chrono::Duration::days(3),
            now + chrono::Duration::days(10),
        )
        .await
        .unwrap();
    let session = &later[0];
    let (contact, offer) = (ContactId::from("marie"), OfferId::from("single"));
    let request = BookRequest {
        contact: &contact,
        session: &session.id,
        offer: &offer,
        promo: None,
        pay_on_site: true,
        now,
    };
    let booking = book(&store, &bot, &request).await.unwrap();
    let token = coachbot::domain::ticket::sign(b"cli-ticket-key", &bot.id, &booking.id);
    let facts = coachbot::tickets::TicketFacts {
        studio: "S".into(),
        course: "C".into(),
        when: "W".into(),
        first_name: "M".into(),
    };
    std::fs::write(
        dir.path().join("ticket.png"),
        coachbot::tickets::render_png(&token, &facts),
    )
    .unwrap();
    drop(store);

    let run = |args: &[&str]| {
        coachbot(dir.path())
            .env("COACHBOT_DEMO_TICKET_KEY", "cli-ticket-key")
            .args(args)
            .output()
            .unwrap()
    };
    let verdict = run(&["checkin", "--bot", "demo", "--image", "ticket.png"]);
    assert!(verdict.status.success(), "{}", String::from_utf8_lossy(&verdict.stderr));
    let day = session
        .start
        .with_timezone(&bot.time_zone)
        .format("%d/%m/%Y")
        .to_string();
    assert_eq!(
        String::from_utf8(verdict.stdout).unwrap().trim(),
        format!("⛔ Ce billet est pour le {day}.")
    );

    let forged = coachbot::domain::ticket::sign(b"guess", &bot.id, &booking.id);
    let refused = run(&["checkin", "--bot", "demo", "--token", &forged]);
    assert!(String::from_utf8(refused.stdout).unwrap().contains("n'est pas valable"));
    std::fs::write(dir.path().join("blank.png"), b"no picture").unwrap();
    assert_eq!(
        run(&["checkin", "--bot", "demo", "--image", "blank.png"]).status.code(),
        Some(2)
    );
    let no_key = coachbot(dir.path())
        .args(["checkin", "--bot", "demo", "--token", &token])
        .output()
        .unwrap();
    assert_eq!(no_key.status.code(), Some(2), "without the key nothing can be checked");
}

#[tokio::test]
async fn book_from_the_cli_books_writes_the_ticket_and_queues_on_a_full_session() {
    use coachbot::store::prelude::*;
    let dir = workdir();
    let book = |name: &str, email: &str, extra: &[&str]| {
        let mut command = coachbot(dir.path());
        command
            .args([
                "book",
                "--bot",
                "demo",
                "--course",
                "yoga-doux",
                "--name",
                name,
                "--email",
                email,
            ])
            .args(extra)
            .env("COACHBOT_DEMO_TICKET_KEY", "a test ticket key of 32 bytes ok");
        command.output().unwrap()
    };
    let marie = book(
        "Marie Dupont",
        "marie@example.fr",
        &["--on-site", "--ticket", "ticket.png"],
    );
    assert!(marie.status.success(), "{}", String::from_utf8_lossy(&marie.stderr));
    let stdout = String::from_utf8(marie.stdout).unwrap();
    assert!(
        stdout.starts_with("✅ Réservé ") && stdout.contains(" : Marie Dupont — Yoga doux le "),
        "{stdout}"
    );
    assert!(stdout.contains("Cours à l'unité, 18 €"), "{stdout}");
    let when = stdout.split(" le ").nth(1).unwrap()[..11].to_owned();
    let day = when[..5].to_owned();
    let png = std::fs::read(dir.path().join("ticket.png")).unwrap();
    let token = coachbot::tickets::decode(&png).expect("the ticket's QR code reads back");
    let (bot, booking) = coachbot::domain::ticket::verify(b"a test ticket key of 32 bytes ok", &token).unwrap();
    assert_eq!(bot.as_str(), "demo");

    let again = book("Marie Dupont", "marie@example.fr", &["--on-site"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("Vous avez déjà une place pour cette séance."));

    // The session gets one seat, Marie's: Paul is queued.
    let db = dir.path().join("data/coachbot.db");
    let store = coachbot::store::sqlite::SqliteStore::connect(db.to_str().unwrap())
        .await
        .unwrap();
    let session = store.get_booking(&bot, &booking).await.unwrap().session;
    store.set_session_capacity(&bot, &session, 1).await.unwrap();
    let full = book("Paul Martin", "paul@example.fr", &["--date", &day]);
    assert_eq!(full.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&full.stderr).contains("Cette séance est complète."));
    let queued = book("Paul Martin", "paul@example.fr", &["--date", &day, "--waitlist"]);
    assert!(queued.status.success(), "{}", String::from_utf8_lossy(&queued.stderr));
    assert_eq!(
        String::from_utf8(queued.stdout).unwrap().trim(),
        format!("Complet : Paul Martin est sur la liste d'attente de Yoga doux le {when}, en position 1.")
    );
    assert_eq!(store.list_waitlist(&bot, &session).await.unwrap().len(), 1);

    for (extra, expected) in [
        (vec!["--course", "boxe"], "unknown course"),
        (vec!["--date", "31/02"], "expected a day such as 24/12"),
    ] {
        let mut command = coachbot(dir.path());
        command.args(["book", "--bot", "demo", "--name", "Zoé", "--email", "zoe@example.fr"]);
        if extra[0] != "--course" {
            command.args(["--course", "yoga-doux"]);
        }
        let output = command.args(&extra).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains(expected), "{extra:?}");
    }
}

#[test]
fn chat_from_the_terminal_books_then_greets_the_returning_visitor_and_speaks_json() {
    let dir = workdir();
    let script = dir.path().join("marie.txt");
    std::fs::write(
        &script,
        "bonjour\nMarie\nmarie@example.fr\n06 12 34 56 78\noui\nréserver\n3\n1\n1\nnon\noui\n",
    )
    .unwrap();
    let chat = |args: &[&str]| {
        coachbot(dir.path())
            .args(["chat", "--bot", "demo"])
            .args(args)
            .env("COACHBOT_DEMO_TICKET_KEY", "a test ticket key of 32 bytes ok")
            .output()
            .unwrap()
    };
    let first = chat(&["--name", "marie", "--script", script.to_str().unwrap()]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let stdout = String::from_utf8(first.stdout).unwrap();
    assert!(
        stdout.contains("> bonjour\nBonjour ! Je suis l'assistant du Studio Lumière."),
        "{stdout}"
    );
    assert!(stdout.contains("  1. Oui, volontiers\n  2. Non merci\n"), "{stdout}");
    let ticket = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("🎟  "))
        .unwrap_or_else(|| panic!("a ticket path in {stdout}"));
    let png = std::fs::read(dir.path().join(ticket)).unwrap();
    assert!(coachbot::tickets::decode(&png).is_some_and(|t| t.starts_with("demo.")));

    std::fs::write(&script, "salut\nmes réservations\n").unwrap();
    let again = chat(&["--name", "marie", "--script", script.to_str().unwrap(), "--json"]);
    let lines: Vec<serde_json::Value> = String::from_utf8(again.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["text"], "Bonjour Marie ! Que puis-je faire pour vous ?");
    assert_eq!(
        (lines[0]["intent"].as_str(), lines[0]["state"].as_str()),
        (Some("greeting"), Some("menu"))
    );
    assert_eq!(lines[0]["choices"][0], "Réserver un cours");
    assert!(lines[1]["text"].as_str().unwrap().contains("Yoga doux"), "{}", lines[1]);
    assert_eq!(lines[1]["intent"], "my_bookings");

    std::fs::write(&script, "/resas semaine\n").unwrap();
    let coach = chat(&["--as", "coach", "--script", script.to_str().unwrap()]);
    let stdout = String::from_utf8(coach.stdout).unwrap();
    assert!(stdout.contains("Marie"), "the coach sees Marie's booking: {stdout}");
}
