//! Promo batches and codes: all-or-nothing batch insert, listing, editing, counted redemptions.

use crate::support::{batch, bot, redemption};
use coachbot::domain::ContactId;
use coachbot::store::{BatchUsage, PageRequest, RedeemOutcome, Store, StoreError};
use std::sync::Arc;

super::conformance!(
    a_batch_is_stored_with_its_codes_and_listed_a_page_at_a_time,
    a_batch_with_a_taken_code_writes_nothing_and_names_the_code,
    editing_a_code_keeps_its_use_count,
    a_code_is_used_up_to_its_maximum_and_uses_come_back_on_release,
    a_contact_cannot_exceed_the_per_contact_limit,
    a_code_without_limits_is_used_freely_and_unknown_codes_are_not_found,
    a_batch_being_written_is_invisible_until_published_and_can_be_discarded,
    only_a_never_used_code_can_be_deleted,
    batch_usage_and_contact_uses_are_counted,
);

async fn a_batch_being_written_is_invisible_until_published_and_can_be_discarded(store: Arc<dyn Store>) {
    let demo = bot("demo");
    let (b, codes) = batch("demo", &["HID1", "HID2", "HID3"], 1, 1);
    store.begin_promo_batch(&b).await.unwrap();
    assert_eq!(store.add_promo_codes(&codes[..2]).await.unwrap(), Vec::<String>::new());
    assert_eq!(
        store.get_promo_batch(&demo, &b.id).await.unwrap_err(),
        StoreError::NotFound
    );
    assert_eq!(
        store.get_promo_code(&demo, "HID1").await.unwrap_err(),
        StoreError::NotFound
    );
    assert!(store.list_promo_batches(&demo).await.unwrap().is_empty());
    let (other, other_codes) = batch("demo", &["HID2", "FRESH"], 1, 1);
    store.begin_promo_batch(&other).await.unwrap();
    assert_eq!(
        store.add_promo_codes(&other_codes).await.unwrap(),
        vec!["HID2".to_owned()],
        "hidden keys are taken too"
    );
    store.discard_promo_batch(&demo, &other.id).await.unwrap();

    assert_eq!(store.add_promo_codes(&codes[2..]).await.unwrap(), Vec::<String>::new());
    store.publish_promo_batch(&demo, &b.id, 3).await.unwrap();
    assert_eq!(store.get_promo_batch(&demo, &b.id).await.unwrap().count, 3);
    assert_eq!(store.get_promo_code(&demo, "HID3").await.unwrap().batch, b.id);
    assert_eq!(
        store.get_promo_code(&demo, "FRESH").await.unwrap_err(),
        StoreError::NotFound,
        "discarded"
    );
    store.discard_promo_batch(&demo, &b.id).await.unwrap();
    assert!(
        store.get_promo_code(&demo, "HID1").await.is_ok(),
        "a published batch is never discarded"
    );
}

async fn only_a_never_used_code_can_be_deleted(store: Arc<dyn Store>) {
    let demo = bot("demo");
    let (b, codes) = batch("demo", &["KEEP", "DROP"], 0, 0);
    store.insert_promo_batch(&b, &codes).await.unwrap();
    store
        .redeem_promo(&redemption("demo", "KEEP", &ContactId::from("a")))
        .await
        .unwrap();
    assert!(!store.delete_promo_code(&demo, "KEEP").await.unwrap());
    assert!(store.get_promo_code(&demo, "KEEP").await.is_ok());
    assert!(store.delete_promo_code(&demo, "DROP").await.unwrap());
    assert_eq!(
        store.get_promo_code(&demo, "DROP").await.unwrap_err(),
        StoreError::NotFound
    );
    assert_eq!(
        store.delete_promo_code(&demo, "DROP").await.unwrap_err(),
        StoreError::NotFound
    );
}

async fn batch_usage_and_contact_uses_are_counted(store: Arc<dyn Store>) {
    let demo = bot("demo");
    let (mut b, codes) = batch("demo", &["U1", "U2", "U3"], 0, 0);
    store.insert_promo_batch(&b, &codes).await.unwrap();
    let marie = ContactId::from("marie");
    for code in ["U1", "U1", "U2"] {
        store.redeem_promo(&redemption("demo", code, &marie)).await.unwrap();
    }
    assert_eq!(
        store.promo_batch_usage(&demo, &b.id).await.unwrap(),
        BatchUsage { codes: 3, used: 2 }
    );
    assert_eq!(store.count_contact_redemptions(&demo, "U1", &marie).await.unwrap(), 2);
    assert_eq!(store.count_contact_redemptions(&demo, "U3", &marie).await.unwrap(), 0);
    b.note = Some("Noël".into());
    store.update_promo_batch(&b).await.unwrap();
    assert_eq!(
        store.get_promo_batch(&demo, &b.id).await.unwrap().note.as_deref(),
        Some("Noël")
    );
}

async fn a_batch_is_stored_with_its_codes_and_listed_a_page_at_a_time(store: Arc<dyn Store>) {
    let names: Vec<String> = (0..1205).map(|i| format!("C{i:05}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (b, codes) = batch("demo", &refs, 1, 1);
    store.insert_promo_batch(&b, &codes).await.unwrap();

    assert_eq!(store.get_promo_batch(&bot("demo"), &b.id).await.unwrap(), b);
    assert_eq!(store.list_promo_batches(&bot("demo")).await.unwrap(), vec![b.clone()]);
    assert_eq!(store.get_promo_code(&bot("demo"), "C00042").await.unwrap(), codes[42]);

    let mut listed = Vec::new();
    let mut page = PageRequest::first(500);
    loop {
        let result = store.list_promo_codes(&bot("demo"), &b.id, &page).await.unwrap();
        listed.extend(result.items.into_iter().map(|c| c.code));
        let Some(next) = result.next else { break };
        page = PageRequest {
            after: Some(next),
            limit: 500,
        };
    }
    assert_eq!(listed, names);
    assert!(store.list_promo_batches(&bot("other")).await.unwrap().is_empty());
}

async fn a_batch_with_a_taken_code_writes_nothing_and_names_the_code(store: Arc<dyn Store>) {
    let (first, first_codes) = batch("demo", &["AAAA", "BBBB"], 1, 1);
    store.insert_promo_batch(&first, &first_codes).await.unwrap();

    let names: Vec<String> = (0..1500)
        .map(|i| format!("N{i:05}"))
        .chain(["BBBB".to_owned()])
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (second, second_codes) = batch("demo", &refs, 1, 1);
    let error = store.insert_promo_batch(&second, &second_codes).await.unwrap_err();
    assert_eq!(
        error,
        StoreError::Conflict {
            what: "promo code",
            keys: vec!["BBBB".into()]
        }
    );

    assert_eq!(
        store.get_promo_batch(&bot("demo"), &second.id).await.unwrap_err(),
        StoreError::NotFound
    );
    assert_eq!(
        store.get_promo_code(&bot("demo"), "N00001").await.unwrap_err(),
        StoreError::NotFound
    );
    assert_eq!(store.list_promo_batches(&bot("demo")).await.unwrap(), vec![first]);
    assert_eq!(
        store.get_promo_code(&bot("demo"), "BBBB").await.unwrap().batch,
        first_codes[1].batch
    );

    let (elsewhere, codes) = batch("other", &["BBBB"], 1, 1);
    store
        .insert_promo_batch(&elsewhere, &codes)
        .await
        .expect("codes are unique per bot only");
}

async fn editing_a_code_keeps_its_use_count(store: Arc<dyn Store>) {
    let (b, codes) = batch("demo", &["EDIT1"], 3, 0);
    store.insert_promo_batch(&b, &codes).await.unwrap();
    let who = ContactId::from("c1");
    assert_eq!(
        store.redeem_promo(&redemption("demo", "EDIT1", &who)).await.unwrap(),
        RedeemOutcome::Redeemed
    );

    let mut edited = codes[0].clone();
    edited.disabled = true;
    edited.terms.max_uses = 10;
    edited.assigned_to = Some(who.clone());
    store.update_promo_code(&edited).await.unwrap();
    let stored = store.get_promo_code(&bot("demo"), "EDIT1").await.unwrap();
    assert_eq!((stored.disabled, stored.terms.max_uses, stored.uses), (true, 10, 1));
    assert_eq!(stored.assigned_to, Some(who));

    let mut ghost = codes[0].clone();
    ghost.code = "NOPE".into();
    ghost.key = "NOPE".into();
    assert_eq!(store.update_promo_code(&ghost).await.unwrap_err(), StoreError::NotFound);
}

async fn a_code_is_used_up_to_its_maximum_and_uses_come_back_on_release(store: Arc<dyn Store>) {
    let (b, codes) = batch("demo", &["TWICE"], 2, 0);
    store.insert_promo_batch(&b, &codes).await.unwrap();
    let first = redemption("demo", "TWICE", &ContactId::from("a"));
    assert_eq!(store.redeem_promo(&first).await.unwrap(), RedeemOutcome::Redeemed);
    assert_eq!(
        store
            .redeem_promo(&redemption("demo", "TWICE", &ContactId::from("b")))
            .await
            .unwrap(),
        RedeemOutcome::Redeemed
    );
    assert_eq!(
        store
            .redeem_promo(&redemption("demo", "TWICE", &ContactId::from("c")))
            .await
            .unwrap(),
        RedeemOutcome::UsedUp
    );
    assert_eq!(store.get_promo_code(&bot("demo"), "TWICE").await.unwrap().uses, 2);
    assert_eq!(store.list_redemptions(&bot("demo"), "TWICE").await.unwrap().len(), 2);

    assert!(store.release_redemption(&bot("demo"), &first.id).await.unwrap());
    assert!(
        !store.release_redemption(&bot("demo"), &first.id).await.unwrap(),
        "released once only"
    );
    assert_eq!(store.get_promo_code(&bot("demo"), "TWICE").await.unwrap().uses, 1);
    assert_eq!(
        store
            .redeem_promo(&redemption("demo", "TWICE", &ContactId::from("c")))
            .await
            .unwrap(),
        RedeemOutcome::Redeemed
    );
}

async fn a_contact_cannot_exceed_the_per_contact_limit(store: Arc<dyn Store>) {
    let (b, codes) = batch("demo", &["ONEEACH"], 0, 1);
    store.insert_promo_batch(&b, &codes).await.unwrap();
    let marie = ContactId::from("marie");
    let first = redemption("demo", "ONEEACH", &marie);
    assert_eq!(store.redeem_promo(&first).await.unwrap(), RedeemOutcome::Redeemed);
    assert_eq!(
        store
            .redeem_promo(&redemption("demo", "ONEEACH", &marie))
            .await
            .unwrap(),
        RedeemOutcome::AlreadyUsedByContact
    );
    assert_eq!(
        store
            .redeem_promo(&redemption("demo", "ONEEACH", &ContactId::from("paul")))
            .await
            .unwrap(),
        RedeemOutcome::Redeemed
    );
    assert!(store.release_redemption(&bot("demo"), &first.id).await.unwrap());
    assert_eq!(
        store
            .redeem_promo(&redemption("demo", "ONEEACH", &marie))
            .await
            .unwrap(),
        RedeemOutcome::Redeemed,
        "a released use can be taken again"
    );
}

async fn a_code_without_limits_is_used_freely_and_unknown_codes_are_not_found(store: Arc<dyn Store>) {
    let (b, codes) = batch("demo", &["FREE"], 0, 0);
    store.insert_promo_batch(&b, &codes).await.unwrap();
    for _ in 0..5 {
        assert_eq!(
            store
                .redeem_promo(&redemption("demo", "FREE", &ContactId::from("x")))
                .await
                .unwrap(),
            RedeemOutcome::Redeemed
        );
    }
    assert_eq!(store.get_promo_code(&bot("demo"), "FREE").await.unwrap().uses, 5);
    let unknown = store
        .redeem_promo(&redemption("demo", "UNKNOWN", &ContactId::from("x")))
        .await;
    assert_eq!(unknown.unwrap_err(), StoreError::NotFound);
    let other_bot = store
        .redeem_promo(&redemption("other", "FREE", &ContactId::from("x")))
        .await;
    assert_eq!(other_bot.unwrap_err(), StoreError::NotFound);
}
