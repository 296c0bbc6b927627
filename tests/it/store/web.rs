//! The web widget's events (each visitor's replies numbered 1, 2, 3… in order, never twice) and
//! the appearance the coach sets from chat.

use crate::support::{bot, t0};
use chrono::Duration;
use coachbot::domain::appearance::{Appearance, Position};
use coachbot::domain::contact::Channel;
use coachbot::domain::inbound::InboundRecord;
use coachbot::domain::outbox::OutboxMessage;
use coachbot::store::{Finish, Store, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;

super::conformance!(
    web_replies_are_numbered_per_visitor_in_order_and_never_sent_by_the_outbox,
    a_web_reply_finished_twice_is_written_once,
    racing_writers_number_one_visitors_events_without_gaps_or_repeats,
    the_appearance_set_from_chat_is_kept_per_bot,
    old_web_replies_are_forgotten_and_numbering_carries_on,
);

fn web(to: &str, text: &str) -> OutboxMessage {
    OutboxMessage::new(
        bot("demo"),
        Channel::Web,
        to,
        serde_json::json!({ "replies": [{ "text": text }] }),
        t0(),
    )
}

fn web_at(bot_id: &str, to: &str, text: &str, at: chrono::DateTime<chrono::Utc>) -> OutboxMessage {
    OutboxMessage::new(
        bot(bot_id),
        Channel::Web,
        to,
        serde_json::json!({ "replies": [{ "text": text }] }),
        at,
    )
}

fn texts(events: &[coachbot::domain::outbox::WebEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| e.payload["replies"][0]["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn web_replies_are_numbered_per_visitor_in_order_and_never_sent_by_the_outbox(store: Arc<dyn Store>) {
    for text in ["un", "deux", "trois"] {
        store.enqueue(&web("visitor-a", text)).await.unwrap();
    }
    store.enqueue(&web("visitor-b", "autre")).await.unwrap();

    let all = store.web_events(&bot("demo"), "visitor-a", 0, 100).await.unwrap();
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(texts(&all), vec!["un", "deux", "trois"]);
    let after = store.web_events(&bot("demo"), "visitor-a", 1, 100).await.unwrap();
    assert_eq!(texts(&after), vec!["deux", "trois"]);
    let limited = store.web_events(&bot("demo"), "visitor-a", 0, 2).await.unwrap();
    assert_eq!(texts(&limited), vec!["un", "deux"]);
    let other = store.web_events(&bot("demo"), "visitor-b", 0, 100).await.unwrap();
    assert_eq!((other[0].seq, texts(&other)), (1, vec!["autre".to_owned()]));
    assert!(
        store
            .web_events(&bot("other"), "visitor-a", 0, 100)
            .await
            .unwrap()
            .is_empty()
    );

    let claimed = store
        .claim_due(t0() + Duration::hours(1), Duration::seconds(30), "w", 100)
        .await
        .unwrap();
    assert!(
        claimed.is_empty(),
        "web replies are read by the widget, not sent: {claimed:?}"
    );
}

async fn a_web_reply_finished_twice_is_written_once(store: Arc<dyn Store>) {
    let key = InboundRecord::key_for(Channel::Web, "m-1");
    let mut reply = web("visitor-a", "Bonjour Anna");
    reply.id = format!("reply-{key}").as_str().into();
    let finish = Finish {
        bot: bot("demo"),
        key,
        conversation: None,
        reply: Some(reply.clone()),
        record: None,
        answer_inline: false,
        read_at: None,
    };
    store.finish_inbound(finish.clone()).await.unwrap();
    store.finish_inbound(finish).await.unwrap();
    assert!(matches!(store.enqueue(&reply).await, Err(StoreError::Conflict { .. })));

    let events = store.web_events(&bot("demo"), "visitor-a", 0, 100).await.unwrap();
    assert_eq!(texts(&events), vec!["Bonjour Anna"]);
    assert_eq!(events[0].id, reply.id);
}

async fn racing_writers_number_one_visitors_events_without_gaps_or_repeats(store: Arc<dyn Store>) {
    let writers: Vec<_> = (0..100)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.enqueue(&web("visitor-race", &format!("m{i}"))).await })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap().unwrap();
    }
    let events = store.web_events(&bot("demo"), "visitor-race", 0, 1000).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=100).collect::<Vec<u64>>()
    );
    let distinct: BTreeSet<String> = texts(&events).into_iter().collect();
    assert_eq!(distinct.len(), 100);
}

async fn the_appearance_set_from_chat_is_kept_per_bot(store: Arc<dyn Store>) {
    assert_eq!(store.load_appearance(&bot("demo")).await.unwrap(), None);
    let mut look = Appearance {
        color: "#ff6600".into(),
        title: "Studio Nova".into(),
        welcome: "Bienvenue !".into(),
        avatar: None,
        position: Position::Left,
    };
    store.save_appearance(&bot("demo"), &look).await.unwrap();
    look.title = "Studio Nova Lyon".into();
    store.save_appearance(&bot("demo"), &look).await.unwrap();
    assert_eq!(store.load_appearance(&bot("demo")).await.unwrap(), Some(look));
    assert_eq!(store.load_appearance(&bot("other")).await.unwrap(), None);
}

async fn old_web_replies_are_forgotten_and_numbering_carries_on(store: Arc<dyn Store>) {
    let (old, recent) = (t0(), t0() + Duration::days(40));
    for (bot_id, to, text, at) in [
        ("demo", "visitor-a", "a1", old),
        ("demo", "visitor-a", "a2", old),
        ("demo", "visitor-a", "a3", old),
        ("demo", "visitor-a", "a4", recent),
        ("demo", "visitor-a", "a5", recent),
        ("demo", "visitor-b", "b1", old),
        ("demo", "visitor-b", "b2", old),
        ("other", "visitor-a", "o1", old),
        ("other", "visitor-a", "o2", old),
    ] {
        store.enqueue(&web_at(bot_id, to, text, at)).await.unwrap();
    }
    let left = async || {
        let mut left = Vec::new();
        for (bot_id, to) in [("demo", "visitor-a"), ("demo", "visitor-b"), ("other", "visitor-a")] {
            left.extend(store.web_events(&bot(bot_id), to, 0, 100).await.unwrap());
        }
        left
    };

    let forgotten = store.purge_web_events(t0() + Duration::days(30)).await.unwrap();
    let kept = left().await;
    assert_eq!(forgotten, 9 - kept.len() as u64, "it counts what it forgot");
    let a = store.web_events(&bot("demo"), "visitor-a", 0, 100).await.unwrap();
    assert_eq!(
        (a.iter().map(|e| e.seq).collect::<Vec<_>>(), texts(&a)),
        (vec![4, 5], vec!["a4".to_owned(), "a5".to_owned()]),
        "recent replies are kept, the older ones forgotten"
    );
    for (bot_id, last) in [("demo", "b2"), ("other", "o2")] {
        let only_old = store
            .web_events(
                &bot(bot_id),
                if bot_id == "demo" { "visitor-b" } else { "visitor-a" },
                0,
                100,
            )
            .await
            .unwrap();
        assert!(
            only_old
                .iter()
                .all(|e| e.seq == 2 && texts(std::slice::from_ref(e)) == [last]),
            "at most a visitor's last reply is left: {only_old:?}"
        );
    }

    store.enqueue(&web_at("demo", "visitor-b", "b3", recent)).await.unwrap();
    let b = store.web_events(&bot("demo"), "visitor-b", 2, 100).await.unwrap();
    assert_eq!(
        (b.iter().map(|e| e.seq).collect::<Vec<_>>(), texts(&b)),
        (vec![3], vec!["b3".to_owned()]),
        "the next reply is numbered after the last one, forgotten or not"
    );
    let before = left().await.len() as u64;
    let forgotten = store.purge_web_events(t0() + Duration::days(30)).await.unwrap();
    assert_eq!(forgotten, before - left().await.len() as u64);
    let b = store.web_events(&bot("demo"), "visitor-b", 0, 100).await.unwrap();
    assert_eq!(
        b.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![3],
        "b2 is no longer the last one"
    );
    assert_eq!(store.purge_web_events(t0() + Duration::days(30)).await.unwrap(), 0);
}

/// SQLite forgets in batches of a bounded size, each its own write, until none is left.
#[tokio::test]
async fn sqlite_forgets_many_old_web_replies_in_batches() {
    let test = crate::support::sqlite().await;
    let store = test.store.clone();
    let writes = (0..2_500).map(|i| {
        let store = store.clone();
        async move {
            store
                .enqueue(&web_at("demo", "visitor-many", &format!("m{i}"), t0()))
                .await
        }
    });
    for written in futures::future::join_all(writes).await {
        written.unwrap();
    }
    assert_eq!(store.purge_web_events(t0() + Duration::days(1)).await.unwrap(), 2_499);
    let left = store.web_events(&bot("demo"), "visitor-many", 0, 10).await.unwrap();
    assert_eq!(left.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2_500]);
}
