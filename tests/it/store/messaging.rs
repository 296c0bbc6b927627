//! The outbox (leases) and inbound records (idempotency).

use crate::support::{bot, t0};
use chrono::Duration;
use coachbot::domain::contact::Channel;
use coachbot::domain::dialogue::ConversationRecord;
use coachbot::domain::inbound::InboundRecord;
use coachbot::domain::outbox::{OutboxMessage, OutboxState};
use coachbot::store::{Finish, Finished, Store};
use std::sync::Arc;

super::conformance!(
    due_messages_are_leased_once_until_the_lease_runs_out,
    a_sent_or_retried_message_belongs_to_its_lease_holder_only,
    an_inbound_message_is_recorded_once_and_found_again_until_handled,
    finishing_a_message_queues_its_reply_once_saves_the_conversation_and_marks_it_done,
    a_message_recorded_with_its_answer_is_written_once_and_its_replay_writes_nothing,
    a_reply_goes_in_the_webhooks_answer_unless_an_earlier_one_to_the_same_person_waits,
    an_unhandled_message_is_taken_by_one_resumer_at_a_time,
);

fn message(to: &str, due_in_secs: i64) -> OutboxMessage {
    let mut m = OutboxMessage::new(
        bot("demo"),
        Channel::Telegram,
        to,
        serde_json::json!({ "text": "Bonjour" }),
        t0(),
    );
    m.due_at = t0() + Duration::seconds(due_in_secs);
    m
}

async fn due_messages_are_leased_once_until_the_lease_runs_out(store: Arc<dyn Store>) {
    let due = message("1", 0);
    let later = message("2", 3600);
    store.enqueue(&due).await.unwrap();
    store.enqueue(&later).await.unwrap();
    let lease = Duration::seconds(30);

    let claimed = store.claim_due(t0(), lease, "worker-a", 10).await.unwrap();
    assert_eq!(
        claimed.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
        vec![due.id.clone()]
    );
    assert_eq!((claimed[0].state, claimed[0].attempts), (OutboxState::Leased, 1));
    assert_eq!(claimed[0].owner.as_deref(), Some("worker-a"));

    assert!(
        store
            .claim_due(t0() + Duration::seconds(29), lease, "worker-b", 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retaken = store
        .claim_due(t0() + Duration::seconds(31), lease, "worker-b", 10)
        .await
        .unwrap();
    assert_eq!(retaken.len(), 1, "an expired lease makes the message due again");
    assert_eq!(
        (retaken[0].owner.as_deref(), retaken[0].attempts),
        (Some("worker-b"), 2)
    );
}

async fn a_sent_or_retried_message_belongs_to_its_lease_holder_only(store: Arc<dyn Store>) {
    let m = message("1", 0);
    store.enqueue(&m).await.unwrap();
    let demo = bot("demo");
    store.claim_due(t0(), Duration::seconds(30), "a", 1).await.unwrap();
    assert!(!store.mark_sent(&demo, &m.id, "b").await.unwrap(), "not b's lease");
    assert!(
        store
            .retry_later(&demo, &m.id, "a", t0() + Duration::seconds(60), "Twilio 20429", false)
            .await
            .unwrap()
    );
    let pending = store.get_outbox(&demo, &m.id).await.unwrap();
    assert_eq!(
        (pending.state, pending.last_error.as_deref(), pending.owner),
        (OutboxState::Pending, Some("Twilio 20429"), None)
    );
    assert!(
        store
            .claim_due(t0() + Duration::seconds(59), Duration::seconds(30), "a", 1)
            .await
            .unwrap()
            .is_empty()
    );

    store
        .claim_due(t0() + Duration::seconds(60), Duration::seconds(30), "c", 1)
        .await
        .unwrap();
    assert!(!store.mark_sent(&demo, &m.id, "a").await.unwrap(), "a's lease is over");
    assert!(store.mark_sent(&demo, &m.id, "c").await.unwrap());
    assert_eq!(store.get_outbox(&demo, &m.id).await.unwrap().state, OutboxState::Sent);
    assert!(
        store
            .claim_due(t0() + Duration::days(1), Duration::seconds(30), "d", 10)
            .await
            .unwrap()
            .is_empty(),
        "sent is final"
    );

    // A sender's whole run marked in one call: only what it still holds.
    let (x, y, z) = (message("2", 0), message("3", 0), message("4", 0));
    for m in [&x, &y, &z] {
        store.enqueue(m).await.unwrap();
    }
    let later = t0() + Duration::days(2);
    let held = store.claim_due(later, Duration::seconds(30), "e", 2).await.unwrap();
    let rest = store.claim_due(later, Duration::seconds(30), "f", 10).await.unwrap();
    assert_eq!((held.len(), rest.len()), (2, 1));
    let run: Vec<_> = [&x, &y, &z, &m].iter().map(|m| (demo.clone(), m.id.clone())).collect();
    assert_eq!(
        store.mark_all_sent(&run, "e").await.unwrap(),
        2,
        "e's two, not f's nor a sent one"
    );
    for claimed in &held {
        assert_eq!(
            store.get_outbox(&demo, &claimed.id).await.unwrap().state,
            OutboxState::Sent
        );
    }
    assert_eq!(
        store.get_outbox(&demo, &rest[0].id).await.unwrap().state,
        OutboxState::Leased
    );
}

async fn an_inbound_message_is_recorded_once_and_found_again_until_handled(store: Arc<dyn Store>) {
    let record = |id: &str, at_secs: i64| InboundRecord {
        bot: bot("demo"),
        key: InboundRecord::key_for(Channel::Telegram, id),
        channel: Channel::Telegram,
        payload: serde_json::json!({ "text": "salut" }),
        done: false,
        received_at: t0() + Duration::seconds(at_secs),
        expires_at: t0() + Duration::days(2),
        answer: None,
        resuming_until: None,
    };
    assert!(store.record_inbound_once(&record("100", 0)).await.unwrap());
    assert!(
        !store.record_inbound_once(&record("100", 1)).await.unwrap(),
        "a replay is dropped"
    );
    assert!(store.record_inbound_once(&record("101", 2)).await.unwrap());
    let mut other_bot = record("100", 0);
    other_bot.bot = bot("other");
    assert!(store.record_inbound_once(&other_bot).await.unwrap(), "keys are per bot");

    let unhandled = store
        .list_unhandled_inbound(t0() + Duration::seconds(10), 10)
        .await
        .unwrap();
    assert_eq!(unhandled.iter().filter(|r| r.bot == bot("demo")).count(), 2);
    store.mark_inbound_done(&bot("demo"), "telegram:100").await.unwrap();
    let unhandled = store
        .list_unhandled_inbound(t0() + Duration::seconds(10), 10)
        .await
        .unwrap();
    assert!(
        unhandled
            .iter()
            .all(|r| r.key != "telegram:100" || r.bot != bot("demo"))
    );

    // Recorded later and kept longer: still known after the purge.
    let kept = InboundRecord {
        expires_at: t0() + Duration::days(10),
        ..record("102", 3)
    };
    assert!(store.record_inbound_once(&kept).await.unwrap());
    assert_eq!(store.purge_inbound(t0() + Duration::days(3)).await.unwrap(), 3);
    assert!(
        store.record_inbound_once(&record("100", 0)).await.unwrap(),
        "forgotten after expiry"
    );
    assert!(
        !store.record_inbound_once(&kept).await.unwrap(),
        "a key not expired yet is kept"
    );
}

async fn finishing_a_message_queues_its_reply_once_saves_the_conversation_and_marks_it_done(store: Arc<dyn Store>) {
    let key = InboundRecord::key_for(Channel::Telegram, "200");
    let inbound = InboundRecord {
        bot: bot("demo"),
        key: key.clone(),
        channel: Channel::Telegram,
        payload: serde_json::json!({ "text": "planning" }),
        done: false,
        received_at: t0(),
        expires_at: t0() + Duration::days(2),
        answer: None,
        resuming_until: None,
    };
    assert!(store.record_inbound_once(&inbound).await.unwrap());
    let contact = coachbot::domain::ContactId::from("c-200");
    let mut reply = message("200", 0);
    reply.id = format!("reply-{key}").as_str().into();
    let finish = |step: &str| Finish {
        bot: bot("demo"),
        key: key.clone(),
        conversation: Some(ConversationRecord {
            bot: bot("demo"),
            contact: contact.clone(),
            state: serde_json::json!({ "step": step }),
            recent: vec![],
            updated_at: t0(),
        }),
        reply: Some(reply.clone()),
        record: None,
        answer_inline: false,
        read_at: None,
    };
    store.finish_inbound(finish("menu")).await.unwrap();
    store.finish_inbound(finish("menu-again")).await.unwrap();

    let queued = store
        .claim_due(t0() + Duration::seconds(1), Duration::seconds(30), "w", 10)
        .await
        .unwrap();
    assert_eq!(
        queued
            .iter()
            .filter(|m| m.to == "200")
            .map(|m| m.id.clone())
            .collect::<Vec<_>>(),
        vec![reply.id.clone()],
        "the reply is queued once however often the message is finished"
    );
    let saved = store.load_conversation(&bot("demo"), &contact).await.unwrap().unwrap();
    assert_eq!(saved.state["step"], "menu-again");
    let unhandled = store
        .list_unhandled_inbound(t0() + Duration::seconds(10), 10)
        .await
        .unwrap();
    assert!(unhandled.iter().all(|r| r.key != key), "the message is done");

    // A coach's command: no conversation, and no reply when there is none to send.
    let quiet = Finish {
        bot: bot("demo"),
        key: "telegram:201".into(),
        conversation: None,
        reply: None,
        record: None,
        answer_inline: false,
        read_at: None,
    };
    store.finish_inbound(quiet).await.unwrap();
}

/// The end of a message not recorded on arrival: one write records it done with its answer.
pub(super) fn unrecorded(id: &str, to: &str, step: &str, answer_inline: bool) -> Finish {
    let key = InboundRecord::key_for(Channel::Telegram, id);
    let mut reply = message(to, 0);
    reply.id = format!("reply-{key}").as_str().into();
    Finish {
        bot: bot("demo"),
        key: key.clone(),
        conversation: Some(ConversationRecord {
            bot: bot("demo"),
            contact: format!("c-{to}").as_str().into(),
            state: serde_json::json!({ "step": step }),
            recent: vec![],
            updated_at: t0(),
        }),
        reply: Some(reply),
        record: Some(InboundRecord {
            bot: bot("demo"),
            key,
            channel: Channel::Telegram,
            payload: serde_json::Value::Null,
            done: true,
            received_at: t0(),
            expires_at: t0() + Duration::days(2),
            answer: None,
            resuming_until: None,
        }),
        answer_inline,
        read_at: None,
    }
}

async fn a_message_recorded_with_its_answer_is_written_once_and_its_replay_writes_nothing(store: Arc<dyn Store>) {
    let first = store
        .finish_inbound(unrecorded("300", "300", "ask_email", false))
        .await
        .unwrap();
    assert_eq!(
        first,
        Finished {
            replay: false,
            inline: false,
            stale: false,
        }
    );
    let again = store
        .finish_inbound(unrecorded("300", "300", "menu", false))
        .await
        .unwrap();
    assert!(again.replay, "the same key again is a replay");
    let saved = store
        .load_conversation(&bot("demo"), &"c-300".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.state["step"], "ask_email", "the replay saved nothing");
    assert!(
        !store
            .record_inbound_once(&unrecorded("300", "300", "", false).record.unwrap())
            .await
            .unwrap(),
        "the message is recorded"
    );
    let unhandled = store
        .list_unhandled_inbound(t0() + Duration::seconds(10), 10)
        .await
        .unwrap();
    assert!(unhandled.iter().all(|r| !r.key.ends_with(":300")), "and done");
    let queued = store
        .claim_due(t0() + Duration::seconds(1), Duration::seconds(30), "w", 10)
        .await
        .unwrap();
    assert_eq!(
        queued.iter().filter(|m| m.to == "300").count(),
        1,
        "its reply queued once"
    );
}

async fn a_reply_goes_in_the_webhooks_answer_unless_an_earlier_one_to_the_same_person_waits(store: Arc<dyn Store>) {
    let answered = store
        .finish_inbound(unrecorded("400", "400", "menu", true))
        .await
        .unwrap();
    assert_eq!(
        answered,
        Finished {
            replay: false,
            inline: true,
            stale: false,
        }
    );
    let answer = store.inbound_answer(&bot("demo"), "telegram:400").await.unwrap();
    assert_eq!(
        answer,
        Some(serde_json::json!({ "text": "Bonjour" })),
        "kept with the message, as its answer"
    );
    assert!(
        matches!(
            store.get_outbox(&bot("demo"), &"reply-telegram:400".into()).await,
            Err(coachbot::store::StoreError::NotFound)
        ),
        "and not queued"
    );
    let claimed = store
        .claim_due(t0() + Duration::seconds(1), Duration::seconds(30), "w", 10)
        .await
        .unwrap();
    assert!(claimed.iter().all(|m| m.to != "400"), "never claimed by the sender");

    // A ticket still waiting for Paul: his next reply must not overtake it.
    store.enqueue(&message("401", 0)).await.unwrap();
    let behind = store
        .finish_inbound(unrecorded("402", "401", "menu", true))
        .await
        .unwrap();
    assert_eq!(
        behind,
        Finished {
            replay: false,
            inline: false,
            stale: false,
        }
    );
    let queued = store
        .get_outbox(&bot("demo"), &"reply-telegram:402".into())
        .await
        .unwrap();
    assert_eq!(queued.state, OutboxState::Pending, "queued behind the waiting one");
    assert_eq!(
        store.inbound_answer(&bot("demo"), "telegram:402").await.unwrap(),
        None,
        "a queued reply is not the message's answer"
    );
    // Someone else is not held up by Paul's.
    let other = store
        .finish_inbound(unrecorded("403", "403", "menu", true))
        .await
        .unwrap();
    assert!(other.inline);
    // Once Paul's are sent, his next reply is answered again.
    let leased = store
        .claim_due(t0() + Duration::seconds(1), Duration::seconds(30), "w", 10)
        .await
        .unwrap();
    for m in leased.iter().filter(|m| m.to == "401") {
        assert!(store.mark_sent(&m.bot, &m.id, "w").await.unwrap());
    }
    let next = store
        .finish_inbound(unrecorded("404", "401", "menu", true))
        .await
        .unwrap();
    assert!(next.inline, "nothing waits for Paul any more");

    // A message recorded on its arrival: its end keeps the answer with it, or queues the reply
    // behind a waiting one.
    for (id, to, waits) in [("405", "405", false), ("406", "406", true)] {
        assert!(store.record_inbound_once(&received(id)).await.unwrap());
        if waits {
            store.enqueue(&message(to, 0)).await.unwrap();
        }
        let finished = store
            .finish_inbound(Finish {
                record: None,
                ..unrecorded(id, to, "menu", true)
            })
            .await
            .unwrap();
        assert_eq!(finished.inline, !waits, "message {id}");
        let key = InboundRecord::key_for(Channel::Telegram, id);
        let answer = store.inbound_answer(&bot("demo"), &key).await.unwrap();
        let queued = store
            .get_outbox(&bot("demo"), &format!("reply-{key}").as_str().into())
            .await;
        match waits {
            false => {
                assert_eq!(answer, Some(serde_json::json!({ "text": "Bonjour" })));
                assert!(matches!(queued, Err(coachbot::store::StoreError::NotFound)));
            }
            true => {
                assert_eq!(answer, None);
                assert_eq!(queued.unwrap().state, OutboxState::Pending);
            }
        }
        let unhandled = store
            .list_unhandled_inbound(t0() + Duration::days(1), 100)
            .await
            .unwrap();
        assert!(unhandled.iter().all(|r| r.key != key), "message {id} done");
    }
}

/// A text from the demo bot's Telegram, received at `t0` and not handled yet.
fn received(id: &str) -> InboundRecord {
    InboundRecord {
        bot: bot("demo"),
        key: InboundRecord::key_for(Channel::Telegram, id),
        channel: Channel::Telegram,
        payload: serde_json::json!({ "text": "salut" }),
        done: false,
        received_at: t0(),
        expires_at: t0() + Duration::days(2),
        answer: None,
        resuming_until: None,
    }
}

async fn an_unhandled_message_is_taken_by_one_resumer_at_a_time(store: Arc<dyn Store>) {
    let record = received("300");
    assert!(store.record_inbound_once(&record).await.unwrap());
    let (demo, key) = (bot("demo"), record.key.as_str());
    let now = t0() + Duration::minutes(2);
    let until = now + Duration::minutes(10);

    let racers = (0..50).map(|_| {
        let (store, demo, key) = (store.clone(), demo.clone(), key.to_owned());
        tokio::spawn(async move { store.claim_unhandled_inbound(&demo, &key, now, until).await.unwrap() })
    });
    let won = futures::future::join_all(racers)
        .await
        .into_iter()
        .filter(|taken| *taken.as_ref().unwrap())
        .count();
    assert_eq!(won, 1, "one of the racing resumers takes it");
    assert!(
        !store
            .claim_unhandled_inbound(&demo, key, until - Duration::seconds(1), until)
            .await
            .unwrap(),
        "held until the time it was taken for"
    );
    let later = until + Duration::minutes(10);
    assert!(
        store.claim_unhandled_inbound(&demo, key, until, later).await.unwrap(),
        "then another may take it (the first stopped before handling it)"
    );
    assert!(
        !store
            .claim_unhandled_inbound(&bot("other"), key, later, later)
            .await
            .unwrap(),
        "keys are per bot"
    );
    store.mark_inbound_done(&demo, key).await.unwrap();
    assert!(
        !store
            .claim_unhandled_inbound(&demo, key, later, later + Duration::minutes(10))
            .await
            .unwrap(),
        "a handled message is not taken"
    );
    let listed = store.list_unhandled_inbound(later, 10).await.unwrap();
    assert!(listed.iter().all(|r| r.key != key), "{listed:?}");
}

/// On MongoDB a TTL index drops inbound keys once expired, by the date in `expire_at`, on the
/// server's clock. (The test server runs with its TTL monitor off, as the tests' clocks are fixed:
/// this checks the index and the date it reads, on both ways a message is recorded.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_inbound_keys_carry_the_date_their_ttl_index_expires_them_by() {
    use ::mongodb::bson::{Document, doc};
    use futures::TryStreamExt;
    let Some(test) = crate::support::mongo().await else {
        eprintln!("skipped: COACHBOT_TEST_MONGODB_URI is not set");
        return;
    };
    let record = received("900");
    assert!(test.store.record_inbound_once(&record).await.unwrap());
    // Recorded by its answer's own write.
    test.store
        .finish_inbound(unrecorded("901", "901", "menu", true))
        .await
        .unwrap();

    let inbound = test.database().unwrap().collection::<Document>("inbound");
    for key in ["telegram:900", "telegram:901"] {
        let stored = inbound.find_one(doc! { "key": key }).await.unwrap().unwrap();
        assert_eq!(
            stored.get_datetime("expire_at").map(|d| d.timestamp_millis()).ok(),
            Some((t0() + Duration::days(2)).timestamp_millis()),
            "{key}: {stored}"
        );
    }
    let indexes: Vec<::mongodb::IndexModel> = inbound.list_indexes().await.unwrap().try_collect().await.unwrap();
    let ttl = indexes
        .iter()
        .find(|index| index.keys == doc! { "expire_at": 1 })
        .unwrap_or_else(|| panic!("a TTL index on expire_at: {indexes:?}"));
    assert_eq!(
        ttl.options.as_ref().and_then(|o| o.expire_after),
        Some(std::time::Duration::ZERO)
    );
    test.finish().await;
}
