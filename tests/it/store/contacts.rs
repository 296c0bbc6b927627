//! Contacts and conversations: CRUD, identity uniqueness, lookups, bot isolation, pagination.

use crate::support::{bot, contact, t0};
use chrono::Duration;
use coachbot::domain::ContactId;
use coachbot::domain::contact::{Channel, Consent, Email, Identity, Phone, Region};
use coachbot::domain::dialogue::{ChatLine, ConversationRecord};
use coachbot::store::{PageRequest, Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;

super::conformance!(
    a_contact_round_trips_and_is_found_by_identity_email_and_phone,
    an_identity_belongs_to_one_contact_per_bot,
    records_of_one_bot_are_invisible_to_another,
    contacts_are_listed_a_page_at_a_time,
    a_conversation_is_saved_and_replaced,
    what_a_message_reads_follows_every_write,
    a_message_answered_from_a_kept_chat_writes_only_while_it_is_current,
);

async fn a_contact_round_trips_and_is_found_by_identity_email_and_phone(store: Arc<dyn Store>) {
    let fr = Some(Region::parse("FR").unwrap());
    let mut marie = contact("demo", Channel::Telegram, "1001");
    marie.name = Some("Marie".into());
    marie.email = Some(Email::parse("Marie@Example.fr").unwrap());
    marie.phone = Some(Phone::parse("06 12 34 56 78", fr).unwrap());
    marie.consent = Some(Consent {
        marketing: true,
        at: t0(),
        source: Channel::Telegram,
    });
    marie.tags = vec!["yoga".into()];
    store.insert_contact(&marie).await.unwrap();

    assert_eq!(store.get_contact(&bot("demo"), &marie.id).await.unwrap(), marie);
    let by_identity = store
        .find_contact_by_identity(&bot("demo"), &Identity::new(Channel::Telegram, "1001"))
        .await;
    assert_eq!(by_identity.unwrap().unwrap().id, marie.id);
    let by_email = store
        .find_contact_by_email(&bot("demo"), &Email::parse("marie@example.fr").unwrap())
        .await;
    assert_eq!(by_email.unwrap().unwrap().id, marie.id);
    let by_phone = store
        .find_contact_by_phone(&bot("demo"), &Phone::parse("+33612345678", None).unwrap())
        .await;
    assert_eq!(by_phone.unwrap().unwrap().id, marie.id);
    assert!(
        store
            .find_contact_by_identity(&bot("demo"), &Identity::new(Channel::Web, "1001"))
            .await
            .unwrap()
            .is_none()
    );

    marie.identities.push(Identity::new(Channel::Whatsapp, "+33612345678"));
    marie.name = Some("Marie D.".into());
    store.update_contact(&marie).await.unwrap();
    let linked = store
        .find_contact_by_identity(&bot("demo"), &Identity::new(Channel::Whatsapp, "+33612345678"))
        .await;
    assert_eq!(linked.unwrap().unwrap().name.as_deref(), Some("Marie D."));

    let missing = store.get_contact(&bot("demo"), &ContactId::from("nobody")).await;
    assert_eq!(missing.unwrap_err(), StoreError::NotFound);
    let ghost = contact("demo", Channel::Web, "ghost");
    assert_eq!(store.update_contact(&ghost).await.unwrap_err(), StoreError::NotFound);
}

async fn an_identity_belongs_to_one_contact_per_bot(store: Arc<dyn Store>) {
    let first = contact("demo", Channel::Telegram, "42");
    store.insert_contact(&first).await.unwrap();

    let twin = contact("demo", Channel::Telegram, "42");
    assert!(matches!(
        store.insert_contact(&twin).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(
        matches!(
            store.get_contact(&bot("demo"), &twin.id).await,
            Err(StoreError::NotFound)
        ),
        "nothing written"
    );

    let mut other = contact("demo", Channel::Web, "visitor-1");
    store.insert_contact(&other).await.unwrap();
    other.identities.push(Identity::new(Channel::Telegram, "42"));
    assert!(matches!(
        store.update_contact(&other).await,
        Err(StoreError::Conflict { .. })
    ));
    let owner = store
        .find_contact_by_identity(&bot("demo"), &Identity::new(Channel::Telegram, "42"))
        .await
        .unwrap();
    assert_eq!(owner.unwrap().id, first.id, "the identity stays with its owner");

    let same_person_elsewhere = contact("other", Channel::Telegram, "42");
    store.insert_contact(&same_person_elsewhere).await.unwrap();
}

async fn records_of_one_bot_are_invisible_to_another(store: Arc<dyn Store>) {
    let a = contact("alpha", Channel::Telegram, "7");
    store.insert_contact(&a).await.unwrap();
    store
        .upsert_course(&crate::support::course("alpha", "yoga"))
        .await
        .unwrap();
    let s = crate::support::session("alpha", "yoga", t0(), 5);
    store.insert_session(&s).await.unwrap();

    let beta = bot("beta");
    assert_eq!(store.get_contact(&beta, &a.id).await.unwrap_err(), StoreError::NotFound);
    assert!(
        store
            .find_contact_by_identity(&beta, &Identity::new(Channel::Telegram, "7"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.list_courses(&beta).await.unwrap().is_empty());
    assert!(
        store
            .list_sessions(&beta, t0() - Duration::days(1), t0() + Duration::days(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.reserve_seat(&beta, &s.id).await.unwrap_err(),
        StoreError::NotFound
    );
    assert!(
        store
            .list_contacts(&beta, &PageRequest::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn contacts_are_listed_a_page_at_a_time(store: Arc<dyn Store>) {
    let mut ids = HashSet::new();
    for i in 0..25 {
        let c = contact("demo", Channel::Web, &format!("v{i}"));
        ids.insert(c.id.clone());
        store.insert_contact(&c).await.unwrap();
    }
    store
        .insert_contact(&contact("other", Channel::Web, "v0"))
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut page = PageRequest::first(10);
    let mut sizes = Vec::new();
    loop {
        let result = store.list_contacts(&bot("demo"), &page).await.unwrap();
        sizes.push(result.items.len());
        seen.extend(result.items.into_iter().map(|c| c.id));
        match result.next {
            Some(next) => {
                page = PageRequest {
                    after: Some(next),
                    limit: 10,
                }
            }
            None => break,
        }
    }
    assert_eq!(sizes, vec![10, 10, 5]);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in id order, without repeats");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), ids);
}

async fn a_conversation_is_saved_and_replaced(store: Arc<dyn Store>) {
    let who = contact("demo", Channel::Web, "chat");
    assert!(store.load_conversation(&bot("demo"), &who.id).await.unwrap().is_none());
    let mut record = ConversationRecord {
        bot: bot("demo"),
        contact: who.id.clone(),
        state: serde_json::json!({ "step": "ask_name" }),
        recent: vec![ChatLine {
            from_bot: true,
            text: "Bonjour !".into(),
            at: t0(),
        }],
        updated_at: t0(),
    };
    store.save_conversation(&record).await.unwrap();
    record.state = serde_json::json!({ "step": "ask_email", "name": "Léa" });
    record.recent.push(ChatLine {
        from_bot: false,
        text: "Léa".into(),
        at: t0() + Duration::seconds(5),
    });
    store.save_conversation(&record).await.unwrap();
    assert_eq!(
        store.load_conversation(&bot("demo"), &who.id).await.unwrap(),
        Some(record.clone())
    );

    // Found by identity with the conversation in one call: none before the contact exists or
    // before its first conversation, the saved one after.
    let identity = Identity::new(Channel::Web, "chat");
    let demo = bot("demo");
    let lookup = || store.find_contact_with_conversation(&demo, &identity);
    assert_eq!(lookup().await.unwrap(), None);
    store.insert_contact(&who).await.unwrap();
    let other = contact("demo", Channel::Web, "other");
    store.insert_contact(&other).await.unwrap();
    assert_eq!(lookup().await.unwrap(), Some((who.clone(), Some(record))));
    let quiet = store
        .find_contact_with_conversation(&bot("demo"), &Identity::new(Channel::Web, "other"))
        .await
        .unwrap();
    assert_eq!(quiet, Some((other, None)));
    assert_eq!(
        store
            .find_contact_with_conversation(&bot("elsewhere"), &identity)
            .await
            .unwrap(),
        None
    );
}

/// What every chat message reads (the contact with its conversation, the snapshot) follows each
/// kind of write that changes it, read twice between writes: a backend that keeps any of it in
/// memory must keep it current.
async fn what_a_message_reads_follows_every_write(store: Arc<dyn Store>) {
    use crate::support::{booking, session, wallet};
    use coachbot::domain::booking::Payment;
    let demo = bot("demo");
    let (from, to) = (t0(), t0() + Duration::days(31));
    let mut who = contact("demo", Channel::Telegram, "7");
    who.id = ContactId::from("marie");
    let telegram = Identity::new(Channel::Telegram, "7");
    store.insert_contact(&who).await.unwrap();
    // What a chat message reads first, in one call, and the same read apart: always equal.
    let chat = |identity: Identity| {
        let (store, demo) = (store.clone(), demo.clone());
        async move {
            let chat = store.find_chat(&demo, &identity, from, to).await?;
            let apart = store.find_contact_with_conversation(&demo, &identity).await?;
            let snapshot = match &apart {
                Some((contact, _)) => Some(store.chat_snapshot(&demo, &contact.id, from, to).await?),
                None => None,
            };
            let together = chat.map(|c| ((c.contact, c.conversation), c.snapshot));
            assert_eq!(together.as_ref().map(|t| &t.0), apart.as_ref(), "one read or two");
            assert_eq!(together.map(|t| t.1), snapshot, "one read or two");
            Ok::<_, coachbot::store::StoreError>((apart, snapshot))
        }
    };
    let read = || async { chat(telegram.clone()).await.map(|(apart, _)| apart) };
    assert_eq!(read().await.unwrap(), Some((who.clone(), None)));
    assert_eq!(read().await.unwrap(), Some((who.clone(), None)), "read twice, the same");

    let mut record = ConversationRecord {
        bot: demo.clone(),
        contact: who.id.clone(),
        state: serde_json::json!({ "step": "ask_email" }),
        recent: Vec::new(),
        updated_at: t0(),
    };
    store.save_conversation(&record).await.unwrap();
    assert_eq!(read().await.unwrap(), Some((who.clone(), Some(record.clone()))));
    record.state = serde_json::json!({ "step": "menu" });
    store.save_conversation(&record).await.unwrap();
    assert_eq!(read().await.unwrap().unwrap().1, Some(record.clone()));

    who.name = Some("Marie".into());
    who.identities.push(Identity::new(Channel::Whatsapp, "+33612345678"));
    store.update_contact(&who).await.unwrap();
    assert_eq!(read().await.unwrap().unwrap().0.name.as_deref(), Some("Marie"));
    let whatsapp = Identity::new(Channel::Whatsapp, "+33612345678");
    let by_whatsapp = chat(whatsapp.clone()).await.unwrap().0;
    assert_eq!(by_whatsapp.unwrap().0.id, who.id);
    who.identities.retain(|i| *i != telegram);
    store.update_contact(&who).await.unwrap();
    assert_eq!(
        read().await.unwrap(),
        None,
        "an identity taken off its contact finds nobody"
    );

    let snapshot = || async { chat(whatsapp.clone()).await.map(|(_, snapshot)| snapshot.unwrap()) };
    assert!(snapshot().await.unwrap().bookings.is_empty());
    store
        .upsert_course(&crate::support::course("demo", "yoga"))
        .await
        .unwrap();
    assert_eq!(snapshot().await.unwrap().courses.len(), 1);
    let s = session("demo", "yoga", t0() + Duration::days(1), 4);
    store.insert_session(&s).await.unwrap();
    let w = wallet("demo", "marie", 2);
    store.insert_wallet(&w).await.unwrap();
    assert_eq!(snapshot().await.unwrap().wallets, vec![w.clone()]);
    let b = booking(&s, "marie", Payment::Credit { wallet: w.id.clone() });
    store.book(&b).await.unwrap();
    let booked = snapshot().await.unwrap();
    assert_eq!(booked.bookings.len(), 1);
    assert_eq!(booked.wallets[0].credits_left, 1);
    assert_eq!(booked.sessions[0].seats_taken, 1);
    store.cancel_booking(&demo, &b.id, true).await.unwrap();
    let cancelled = snapshot().await.unwrap();
    assert_eq!(cancelled.wallets[0].credits_left, 2);
    assert_eq!(cancelled.sessions[0].seats_taken, 0);
}

/// The end of one message from `read` (recorded by it, as a webhook's), saving `step`.
fn ending(read: &coachbot::store::ChatRead, message: &str, step: &str) -> coachbot::store::Finish {
    let mut finish = super::messaging::unrecorded(message, message, step, false);
    let conversation = finish.conversation.as_mut().unwrap();
    conversation.contact = read.contact.id.clone();
    conversation.recent = vec![ChatLine {
        from_bot: false,
        text: step.into(),
        at: t0(),
    }];
    finish.read_at = read.read_at.clone();
    finish
}

/// A chat may be answered from a copy kept in memory (SQLite keeps one); the message's one write
/// then goes through only while that copy is what the store holds: after any write to the
/// contact's data or the catalog, it writes nothing and says the read was stale. A backend that
/// keeps nothing is never stale.
async fn a_message_answered_from_a_kept_chat_writes_only_while_it_is_current(store: Arc<dyn Store>) {
    use crate::support::{booking, course, session, wallet};
    use coachbot::domain::booking::Payment;
    let demo = bot("demo");
    let (from, to) = (t0(), t0() + Duration::days(31));
    let mut who = contact("demo", Channel::Telegram, "8");
    who.id = ContactId::from("lea");
    let telegram = Identity::new(Channel::Telegram, "8");
    store.insert_contact(&who).await.unwrap();
    let kept = || store.find_chat_kept(&demo, &telegram, from, to);
    let kept_now = |read: &coachbot::store::ChatRead| read.read_at.as_ref().is_some_and(|at| at.kept);
    assert_eq!(kept().await.unwrap().unwrap().contact, who);

    // Renamed since the copy was kept: a message answered from the old copy writes nothing.
    let before = kept().await.unwrap().unwrap();
    who.name = Some("Léa".into());
    store.update_contact(&who).await.unwrap();
    let finished = store.finish_inbound(ending(&before, "1", "ask_email")).await.unwrap();
    assert_eq!(
        finished.stale,
        kept_now(&before),
        "refused exactly when answered from memory"
    );
    if finished.stale {
        assert_eq!(
            store.load_conversation(&demo, &who.id).await.unwrap(),
            None,
            "nothing saved"
        );
        assert!(
            store
                .record_inbound_once(&ending(&before, "1", "-").record.unwrap())
                .await
                .unwrap(),
            "the message was not recorded"
        );
    }

    // Read again: current, and the copy follows what the message saved.
    let read = kept().await.unwrap().unwrap();
    assert_eq!(read.contact.name.as_deref(), Some("Léa"));
    assert!(!store.finish_inbound(ending(&read, "2", "menu")).await.unwrap().stale);
    let after = kept().await.unwrap().unwrap();
    let stored = store.find_contact_with_conversation(&demo, &telegram).await.unwrap();
    assert_eq!(
        Some((after.contact.clone(), after.conversation.clone())),
        stored,
        "as the store holds it"
    );
    assert_eq!(after.conversation.unwrap().state["step"], "menu");

    // Two messages of the same person read the same copy: the second to end is stale.
    let (first, second) = (kept().await.unwrap().unwrap(), kept().await.unwrap().unwrap());
    assert!(
        !store
            .finish_inbound(ending(&first, "3", "ask_phone"))
            .await
            .unwrap()
            .stale
    );
    let finished = store
        .finish_inbound(ending(&second, "4", "choose_course"))
        .await
        .unwrap();
    assert_eq!(finished.stale, kept_now(&second));
    let step = |c: Option<(coachbot::domain::contact::Contact, Option<ConversationRecord>)>| {
        c.unwrap().1.unwrap().state["step"].as_str().unwrap().to_owned()
    };
    if finished.stale {
        let saved = store.find_contact_with_conversation(&demo, &telegram).await.unwrap();
        assert_eq!(step(saved), "ask_phone", "the first one's conversation stands");
    }

    // Every other kind of write to what a message reads makes a kept copy stale: credits,
    // bookings, and the catalog (seats taken).
    store.upsert_course(&course("demo", "yoga")).await.unwrap();
    let s = session("demo", "yoga", t0() + Duration::days(1), 4);
    store.insert_session(&s).await.unwrap();
    let read = kept().await.unwrap().unwrap();
    let w = wallet("demo", "lea", 2);
    store.insert_wallet(&w).await.unwrap();
    assert_eq!(
        store.finish_inbound(ending(&read, "5", "menu")).await.unwrap().stale,
        kept_now(&read)
    );
    let read = kept().await.unwrap().unwrap();
    assert_eq!(read.snapshot.wallets, vec![w.clone()]);
    let other = crate::support::contact("demo", Channel::Telegram, "9");
    store.insert_contact(&other).await.unwrap();
    store
        .book(&booking(&s, other.id.as_str(), Payment::OnSite))
        .await
        .unwrap();
    assert_eq!(
        store.finish_inbound(ending(&read, "6", "menu")).await.unwrap().stale,
        kept_now(&read),
        "another person's booking took a seat of the catalog"
    );
    let read = kept().await.unwrap().unwrap();
    assert_eq!(read.snapshot.sessions[0].seats_taken, 1);
    store
        .book(&booking(&s, "lea", Payment::Credit { wallet: w.id.clone() }))
        .await
        .unwrap();
    assert_eq!(
        store.finish_inbound(ending(&read, "7", "menu")).await.unwrap().stale,
        kept_now(&read)
    );
    let read = kept().await.unwrap().unwrap();
    assert_eq!(read.snapshot.bookings.len(), 1);
    assert_eq!(read.snapshot.wallets[0].credits_left, 1);
    assert!(!store.finish_inbound(ending(&read, "8", "menu")).await.unwrap().stale);
}

/// The CLI writes to the server's SQLite file from another process: a chat the server keeps in
/// memory is stale after it, and the server's next message reads the file again.
#[tokio::test]
async fn a_chat_kept_by_the_server_is_stale_after_a_write_from_another_process() {
    use coachbot::store::sqlite::SqliteStore;
    use coachbot::store::{ContactStore, MessageStore};
    crate::support::init();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coachbot.db");
    let server = SqliteStore::connect(path.to_str().unwrap()).await.unwrap();
    let cli = SqliteStore::connect(path.to_str().unwrap()).await.unwrap();
    let demo = bot("demo");
    let (from, to) = (t0(), t0() + Duration::days(31));
    let mut who = contact("demo", Channel::Telegram, "8");
    let telegram = Identity::new(Channel::Telegram, "8");
    server.insert_contact(&who).await.unwrap();
    server.find_chat(&demo, &telegram, from, to).await.unwrap();
    let kept = server
        .find_chat_kept(&demo, &telegram, from, to)
        .await
        .unwrap()
        .unwrap();
    assert!(kept.read_at.as_ref().unwrap().kept, "the server answers from memory");

    who.name = Some("Léa".into());
    cli.update_contact(&who).await.unwrap();
    let finished = server.finish_inbound(ending(&kept, "1", "menu")).await.unwrap();
    assert!(finished.stale);
    assert_eq!(server.load_conversation(&demo, &who.id).await.unwrap(), None);
    let read = server
        .find_chat_kept(&demo, &telegram, from, to)
        .await
        .unwrap()
        .unwrap();
    assert!(!read.read_at.as_ref().unwrap().kept, "read from the file again");
    assert_eq!(read.contact.name.as_deref(), Some("Léa"));

    // With nothing kept, every read is the file's.
    let none = SqliteStore::connect(path.to_str().unwrap())
        .await
        .unwrap()
        .keeping_chats(0);
    none.find_chat(&demo, &telegram, from, to).await.unwrap();
    let read = none.find_chat_kept(&demo, &telegram, from, to).await.unwrap().unwrap();
    assert!(!read.read_at.unwrap().kept);
}
