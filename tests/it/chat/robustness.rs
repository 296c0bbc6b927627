//! Odd input never breaks the dialogue: empty text, 10,000 characters, emoji, right-to-left
//! text, binary junk, a photo from a visitor, a stale button; a replayed message is handled once.

use super::Studio;
use crate::store::conformance;
use coachbot::domain::contact::Channel;
use coachbot::engine::Content;
use coachbot::store::Store;
use std::sync::Arc;

conformance!(
    odd_input_gets_a_clear_reply,
    a_replayed_message_is_handled_once,
    a_message_recorded_but_never_answered_is_answered_later,
    the_jobs_forget_a_message_once_its_replay_window_has_passed,
    the_jobs_forget_web_replies_a_month_old,
    a_message_another_replica_is_resuming_is_left_to_it,
    a_message_still_being_answered_is_not_resumed_by_another_replica,
    a_coachs_photo_handled_again_after_a_restart_is_asked_for_again,
);

async fn the_jobs_forget_a_message_once_its_replay_window_has_passed(store: Arc<dyn Store>) {
    let studio = Studio::open(store.clone()).await;
    let engine = studio.engine();
    let message = |id: &str| coachbot::engine::Inbound {
        bot: "demo".into(),
        channel: Channel::Telegram,
        sender: "555".into(),
        message_id: id.into(),
        content: Content::Text { text: "bonjour".into() },
        language: None,
    };
    let (old, recent) = (message("update-1"), message("update-2"));
    engine.handle(&old, studio.now).await.unwrap();
    let day_six = studio.now + chrono::Duration::days(6);
    engine.handle(&recent, day_six).await.unwrap();
    let day_eight = studio.now + chrono::Duration::days(8);
    let tick = coachbot::jobs::Jobs::default()
        .tick(store.as_ref(), &studio.bots, &studio.texts, day_eight)
        .await
        .unwrap();
    assert_eq!(tick.inbound_forgotten, 1);
    assert!(
        engine.handle(&recent, day_eight).await.unwrap().duplicate,
        "a message inside its window is still a replay"
    );
    assert!(
        !engine.handle(&old, day_eight).await.unwrap().duplicate,
        "one past it is forgotten"
    );
}

async fn the_jobs_forget_web_replies_a_month_old(store: Arc<dyn Store>) {
    let studio = Studio::open(store.clone()).await;
    let reply = |text: &str, at| {
        coachbot::domain::outbox::OutboxMessage::new(
            crate::support::bot("demo"),
            Channel::Web,
            "visitor-1",
            serde_json::json!({ "replies": [{ "text": text }] }),
            at,
        )
    };
    let later = studio.now + coachbot::jobs::WEB_REPLIES_KEPT;
    for (text, at) in [("un", studio.now), ("deux", studio.now), ("trois", later)] {
        store.enqueue(&reply(text, at)).await.unwrap();
    }
    let mut jobs = coachbot::jobs::Jobs::default();
    let tick = jobs
        .tick(store.as_ref(), &studio.bots, &studio.texts, later)
        .await
        .unwrap();
    assert_eq!(tick.web_replies_forgotten, 0, "kept for the whole month");
    let tick = jobs
        .tick(
            store.as_ref(),
            &studio.bots,
            &studio.texts,
            later + coachbot::jobs::PURGE_EVERY,
        )
        .await
        .unwrap();
    assert_eq!(tick.web_replies_forgotten, 2);
    let left = store
        .web_events(&crate::support::bot("demo"), "visitor-1", 0, 10)
        .await
        .unwrap();
    assert_eq!(left.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3]);
}

async fn a_message_another_replica_is_resuming_is_left_to_it(store: Arc<dyn Store>) {
    let studio = Studio::open(store.clone()).await;
    let (inbound, key) = left_unanswered(&studio, "889", "update-10").await;
    let later = studio.now + chrono::Duration::minutes(5);
    // Another replica's resume took it a moment ago and is handling it.
    let held_until = later + chrono::Duration::minutes(10);
    assert!(
        store
            .claim_unhandled_inbound(&studio.bot.id, &key, later, held_until)
            .await
            .unwrap()
    );
    let engine = studio.engine();
    assert!(
        engine.resume_unhandled(later, 10, later).await.unwrap().is_empty(),
        "not handled a second time here"
    );
    assert!(
        store
            .get_outbox(&studio.bot.id, &"reply-telegram:update-10".into())
            .await
            .is_err(),
        "nothing queued"
    );
    // That replica stopped before it was done: once its hold runs out, this one answers.
    let resumed = engine.resume_unhandled(later, 10, held_until).await.unwrap();
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].0, inbound);
}

async fn a_message_still_being_answered_is_not_resumed_by_another_replica(store: Arc<dyn Store>) {
    use crate::agent::{FakeModel, known_visitor, start, text};
    use axum::response::IntoResponse;
    let mut studio = Studio::open(store.clone()).await;
    known_visitor(&mut studio, "890").await;
    // The model takes its time: the message is recorded, and its answer is a while coming.
    let model = FakeModel::default();
    model.then(|_| ([("x-delay-ms", "1500")], text("Bonjour Anna, je regarde.")).into_response());
    studio.agent = Some(coachbot::agent::Agents::one(
        studio.bot.id.clone(),
        start(&model, 20, 2).await,
    ));
    let inbound = coachbot::engine::Inbound {
        bot: "demo".into(),
        channel: Channel::Telegram,
        sender: "890".into(),
        message_id: "update-12".into(),
        content: Content::Text {
            text: "vous avez des conseils pour débuter ?".into(),
        },
        language: None,
    };
    let now = studio.now + chrono::Duration::seconds(5);
    let (answering, replica) = (studio.engine(), studio.engine());
    // Meanwhile another replica's jobs look for messages left unanswered, past their one-minute
    // cut-off; this one is held for as long as its model calls may take.
    let later = now + chrono::Duration::seconds(90);
    let (handled, resumed) = tokio::join!(answering.handle(&inbound, now), async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        replica
            .resume_unhandled(later - chrono::Duration::minutes(1), 10, later)
            .await
    });
    assert!(resumed.unwrap().is_empty(), "left to the replica answering it");
    assert_eq!(handled.unwrap().replies[0].text, "Bonjour Anna, je regarde.");
    assert_eq!(model.requests().len(), 1, "the model was asked once");
    // Done now: no replica takes it, even once the hold is past.
    let much_later = now + chrono::Duration::hours(1);
    let resumed = replica
        .resume_unhandled(much_later - chrono::Duration::minutes(1), 10, much_later)
        .await
        .unwrap();
    assert!(resumed.is_empty());
}

/// A text message recorded by a process that stopped before answering it: the message and its key.
async fn left_unanswered(studio: &Studio, sender: &str, id: &str) -> (coachbot::engine::Inbound, String) {
    left_unanswered_with(studio, sender, id, Content::Text { text: "bonjour".into() }).await
}

async fn left_unanswered_with(
    studio: &Studio,
    sender: &str,
    id: &str,
    content: Content,
) -> (coachbot::engine::Inbound, String) {
    let inbound = coachbot::engine::Inbound {
        bot: "demo".into(),
        channel: Channel::Telegram,
        sender: sender.into(),
        message_id: id.into(),
        content,
        language: None,
    };
    let key = coachbot::domain::inbound::InboundRecord::key_for(Channel::Telegram, id);
    let record = coachbot::domain::inbound::InboundRecord {
        bot: studio.bot.id.clone(),
        key: key.clone(),
        channel: Channel::Telegram,
        payload: serde_json::to_value(&inbound).unwrap(),
        done: false,
        received_at: studio.now,
        expires_at: studio.now + chrono::Duration::days(7),
        answer: None,
        resuming_until: None,
    };
    assert!(studio.store.record_inbound_once(&record).await.unwrap());
    (inbound, key)
}

async fn a_coachs_photo_handled_again_after_a_restart_is_asked_for_again(store: Arc<dyn Store>) {
    let studio = Studio::open(store.clone()).await;
    // The coach's photo of a ticket was recorded; the process stopped before checking it in.
    let photo = Content::Photo {
        bytes: b"a ticket photo".to_vec(),
    };
    let coach = super::COACH.to_string();
    left_unanswered_with(&studio, &coach, "update-11", photo).await;
    let later = studio.now + chrono::Duration::minutes(5);
    let resumed = studio.engine().resume_unhandled(later, 10, later).await.unwrap();
    assert_eq!(resumed.len(), 1);
    assert_eq!(
        resumed[0].1.replies[0].text,
        "Je n'ai pas pu lire cette photo : le service a redémarré pendant que je la traitais. \
         Envoyez-la à nouveau, s'il vous plaît."
    );
    let queued = store
        .get_outbox(&studio.bot.id, &"reply-telegram:update-11".into())
        .await
        .expect("queued for the coach");
    assert_eq!(queued.to, coach);
}

async fn a_message_recorded_but_never_answered_is_answered_later(store: Arc<dyn Store>) {
    let studio = Studio::open(store.clone()).await;
    // The process stopped after recording the message, before answering it.
    let (inbound, _) = left_unanswered(&studio, "888", "update-9").await;
    let engine = studio.engine();
    let later = studio.now + chrono::Duration::minutes(5);
    let recent = engine.resume_unhandled(studio.now, 10, later).await.unwrap();
    assert!(
        recent.is_empty(),
        "a message younger than the cut-off is left to its replica"
    );
    let resumed = engine.resume_unhandled(later, 10, later).await.unwrap();
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].0, inbound);
    assert!(
        resumed[0].1.replies[0]
            .text
            .ends_with("Pour commencer, quel est votre prénom ?")
    );
    assert!(
        engine.resume_unhandled(later, 10, later).await.unwrap().is_empty(),
        "once"
    );
    let queued = store
        .get_outbox(&studio.bot.id, &"reply-telegram:update-9".into())
        .await
        .expect("the resumed message's replies are queued for its sender");
    assert_eq!(queued.to, inbound.sender);
    assert_eq!(
        coachbot::channels::replies(&queued.payload),
        resumed[0].1.replies,
        "what was queued is what was answered"
    );
    let replay = engine.handle(&inbound, later).await.unwrap();
    assert!(replay.duplicate, "Telegram's redelivery of it is still a replay");
}

async fn odd_input_gets_a_clear_reply(store: Arc<dyn Store>) {
    let mut studio = Studio::open(store.clone()).await;
    let mut zoe = studio.person(Channel::Web, "zoe");
    zoe.script(&mut studio, &["salut", "Zoé", "zoe@example.fr", "0633333333", "oui"])
        .await;
    let long = "blabla ".repeat(1500);
    let junk = String::from_utf8_lossy(&[0xff, 0x00, 0xfe, 0x41, 0x1b, 0x5b]).into_owned();
    for text in [
        "",
        "   ",
        &long,
        "🧘‍♀️🙏✨",
        "مرحبا، أريد حجز درس",
        &junk,
        "<script>alert(1)</script>",
    ] {
        let handled = zoe.says(&mut studio, text).await;
        assert_eq!(handled.replies.len(), 1, "{text:?}");
        assert!(!handled.replies[0].choices.is_empty(), "{text:?}: a way on is offered");
    }
    let photo = studio
        .send(Channel::Web, "zoe", Content::Photo { bytes: vec![1, 2, 3] }, None)
        .await;
    assert!(
        photo.replies[0].text.starts_with("Merci pour la photo"),
        "{:?}",
        photo.replies
    );
    // A button from an old message: a date that filled up since, then one that no longer exists.
    zoe.script(&mut studio, &["réserver", "Danse afro"]).await;
    let afro = crate::booking::sessions(&store, &studio.bot, "danse-afro")
        .await
        .remove(0);
    store.set_session_capacity(&studio.bot.id, &afro.id, 0).await.unwrap();
    zoe.presses(&mut studio, &format!("session:{}", afro.id)).await;
    zoe.presses(&mut studio, "offer:single").await;
    zoe.presses(&mut studio, "session:nope").await;
    let transcript = zoe
        .transcript
        .replace(&long, "[blabla × 1500]")
        .replace(&junk, "[junk]");
    insta::assert_snapshot!("odd_input", transcript.replace(afro.id.as_str(), "SESSION"));
}

async fn a_replayed_message_is_handled_once(store: Arc<dyn Store>) {
    let mut studio = Studio::open(store.clone()).await;
    let inbound = coachbot::engine::Inbound {
        bot: "demo".into(),
        channel: Channel::Telegram,
        sender: "777".into(),
        message_id: "update-1".into(),
        content: Content::Text { text: "bonjour".into() },
        language: None,
    };
    let engine = studio.engine();
    let first = engine.handle(&inbound, studio.now).await.unwrap();
    let again = engine.handle(&inbound, studio.now).await.unwrap();
    assert!(!first.duplicate && !first.replies.is_empty());
    assert!(again.duplicate && again.replies.is_empty());
    let second = coachbot::engine::Inbound {
        message_id: "update-2".into(),
        ..inbound.clone()
    };
    let (a, b) = tokio::join!(engine.handle(&second, studio.now), engine.handle(&second, studio.now));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(
        a.duplicate != b.duplicate,
        "one of two simultaneous deliveries is handled"
    );
    let queued = store
        .claim_due(
            studio.now + chrono::Duration::seconds(1),
            chrono::Duration::seconds(30),
            "t",
            100,
        )
        .await
        .unwrap();
    assert_eq!(
        queued.iter().filter(|m| m.to == "777").count(),
        2,
        "one outbox row per message handled (update-1, update-2), none for the replays"
    );
    let record = store
        .load_conversation(
            &studio.bot.id,
            &store
                .find_contact_by_identity(
                    &studio.bot.id,
                    &coachbot::domain::contact::Identity::new(Channel::Telegram, "777"),
                )
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap()
        .unwrap();
    let said: Vec<&str> = record
        .recent
        .iter()
        .filter(|l| !l.from_bot)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(said, ["bonjour", "bonjour"], "update-1 once, update-2 once");
    studio.now += chrono::Duration::seconds(1);
}

/// The server answers a sender it knows from the chat it keeps in memory; what another process
/// (the CLI) writes to the same file in between is neither missed nor overwritten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_kept_in_memory_misses_nothing_another_process_writes() {
    use coachbot::domain::contact::Identity;
    use coachbot::store::ContactStore;
    use coachbot::store::sqlite::SqliteStore;
    crate::support::init();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coachbot.db");
    let path = path.to_str().unwrap();
    let server: Arc<dyn Store> = Arc::new(SqliteStore::connect(path).await.unwrap());
    let cli = SqliteStore::connect(path).await.unwrap();
    let mut studio = Studio::open(server).await;
    let mut lea = studio.person(Channel::Telegram, "77");
    lea.script(&mut studio, &["bonjour", "Léa"]).await;
    let identity = Identity::new(Channel::Telegram, "77");
    let demo = studio.bot.id.clone();
    let known = || cli.find_contact_by_identity(&demo, &identity);

    lea.script(&mut studio, &["lea@example.fr", "0644444444", "non", "planning"])
        .await;

    // The coach tags her from the CLI while she confirms she wants no more messages: the tag
    // and her choice are both kept.
    let asked = lea.says(&mut studio, "STOP").await;
    assert_eq!(asked.state, "confirm_stop");
    let mut contact = known().await.unwrap().unwrap();
    contact.tags.push("vip".into());
    cli.update_contact(&contact).await.unwrap();
    lea.says(&mut studio, "oui").await;
    let saved = known().await.unwrap().unwrap();
    assert!(saved.opted_out, "her choice is saved");
    assert_eq!(saved.tags, vec!["vip".to_owned()], "the coach's tag is not overwritten");
    lea.says(&mut studio, "START").await;

    // A pack sold from the CLI shows in her very next message.
    let before = lea.says(&mut studio, "mes crédits").await;
    assert!(
        before.replies[0].text.contains("pas de crédit"),
        "{}",
        before.replies[0].text
    );
    let pack = coachbot::domain::OfferId::from("pack10");
    coachbot::ops::booking::buy_offer(&cli, &studio.bot, &contact.id, &pack, studio.now)
        .await
        .unwrap();
    let after = lea.says(&mut studio, "mes crédits").await;
    assert!(after.replies[0].text.contains("10"), "{}", after.replies[0].text);
}
