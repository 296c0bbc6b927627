//! `/promo` and `/promos` from the coach's chat: create, list, edit one code, edit a batch,
//! export, delete, and every refusal writing nothing.

use super::Coach;
use crate::store::conformance;
use coachbot::domain::ContactId;
use coachbot::domain::contact::Email;
use coachbot::domain::language::Language;
use coachbot::domain::promo::{PromoCode, code};
use coachbot::store::{PageRequest, Store};
use std::collections::HashSet;
use std::sync::Arc;

conformance!(
    the_coach_creates_lists_edits_and_exports_codes,
    a_batch_edit_spares_codes_with_their_own_value,
    only_unused_codes_are_deleted_and_the_reply_says_why,
    bad_commands_are_explained_and_write_nothing,
    a_code_for_someone_reserves_it_for_that_contact,
    ten_thousand_codes_come_as_a_csv_document,
    taken_codes_are_drawn_again_until_the_batch_is_complete,
    replies_follow_the_coachs_language,
);

async fn codes_of(coach: &Coach, batch: &str) -> Vec<PromoCode> {
    let page = coach
        .store
        .list_promo_codes(&coach.bot.id, &batch.into(), &PageRequest::first(20_000))
        .await
        .unwrap();
    page.items
}

async fn the_coach_creates_lists_edits_and_exports_codes(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store).await;
    let created = coach.run("/promo 3 -20% exp:31/12 prefix:NOEL").await;
    insta::assert_snapshot!("promo_created", created.text);
    let batch = coach.batch().await;
    let codes = codes_of(&coach, &batch).await;
    assert_eq!(codes.len(), 3);
    assert!(
        codes
            .iter()
            .all(|c| c.code.starts_with("NOEL-") && created.text.contains(&c.code))
    );

    insta::assert_snapshot!("promo_batches", coach.run("/promos").await.text);
    insta::assert_snapshot!("promo_codes", coach.run(&format!("/promos {batch}")).await.text);

    let first = codes[0].code.clone();
    let edited = coach
        .run(&format!("/promo {} -30% max:3 exp:15/01", first.to_lowercase()))
        .await;
    insta::assert_snapshot!("promo_code_edited", edited.text.replace(&first, "CODE"));
    let stored = coach
        .store
        .get_promo_code(&coach.bot.id, &code::key(&first))
        .await
        .unwrap();
    assert_eq!(stored.terms.max_uses, 3);
    assert_eq!(stored.terms.discount.to_command(coach.bot.currency), "-30%");

    let off = coach.run(&format!("/promo {first} off")).await;
    assert_eq!(off.text, format!("✅ {first} : désactivé"));
    assert!(
        coach
            .store
            .get_promo_code(&coach.bot.id, &code::key(&first))
            .await
            .unwrap()
            .disabled
    );
    let on = coach.run(&format!("/promo {first} on")).await;
    assert_eq!(on.text, format!("✅ {first} : réactivé"));

    let export = coach.run(&format!("/promos {batch} csv")).await;
    let document = export.document.expect("a CSV document");
    assert_eq!(
        (document.file_name.as_str(), document.mime.as_str()),
        (format!("codes-{batch}.csv").as_str(), "text/csv")
    );
    let csv = String::from_utf8(document.bytes).unwrap();
    insta::assert_snapshot!("promo_export_csv", csv.replace(&first, "CODE"));
}

async fn a_batch_edit_spares_codes_with_their_own_value(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store).await;
    coach.run("/promo 3 -20% exp:31/12").await;
    let batch = coach.batch().await;
    let codes = codes_of(&coach, &batch).await;
    coach.run(&format!("/promo {} exp:10/12", codes[0].code)).await;

    let reply = coach.run(&format!("/promo lot {batch} exp:+30j -25%")).await;
    insta::assert_snapshot!("promo_batch_edited", reply.text.replace(&batch, "LOT"));
    let after = codes_of(&coach, &batch).await;
    let own = after.iter().find(|c| c.key == codes[0].key).unwrap();
    let others: Vec<&PromoCode> = after.iter().filter(|c| c.key != codes[0].key).collect();
    let thirty_days = coach.now + chrono::Duration::days(30);
    assert_eq!(
        own.terms.expires_at,
        codes_of_expiry(&coach, "10/12"),
        "its own end date is kept"
    );
    assert!(
        own.terms.discount.to_command(coach.bot.currency) == "-25%",
        "the discount it did not override follows the batch"
    );
    assert!(others.iter().all(|c| c.terms.expires_at == Some(thirty_days)));
    let stored_batch = coach
        .store
        .get_promo_batch(&coach.bot.id, &batch.as_str().into())
        .await
        .unwrap();
    assert_eq!(stored_batch.terms.expires_at, Some(thirty_days));
}

fn codes_of_expiry(coach: &Coach, day: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let today = coachbot::domain::dates::local_day(coach.now, coach.bot.time_zone);
    let spec = coachbot::domain::dates::DaySpec::parse(day, today).unwrap();
    Some(spec.end_instant(coach.now, coach.bot.time_zone))
}

async fn only_unused_codes_are_deleted_and_the_reply_says_why(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store).await;
    coach.run("/promo 2 -10% max:0 par-client:0").await;
    let batch = coach.batch().await;
    let codes = codes_of(&coach, &batch).await;
    let used = &codes[0];
    for _ in 0..2 {
        let redemption = crate::support::redemption("demo", &used.key, &ContactId::from("marie"));
        coach.store.redeem_promo(&redemption).await.unwrap();
    }
    let refused = coach.run(&format!("/promo {} suppr", used.code)).await;
    assert_eq!(
        refused.text,
        format!(
            "{0} ne peut pas être supprimé : il a déjà servi 2 fois. Désactivez-le plutôt : /promo {0} off",
            used.code
        )
    );
    assert!(coach.store.get_promo_code(&coach.bot.id, &used.key).await.is_ok());
    let deleted = coach.run(&format!("/promo {} suppr", codes[1].code)).await;
    assert_eq!(deleted.text, format!("✅ {} : supprimé", codes[1].code));
    let unknown = coach.run("/promo ZZZZZZZZ suppr").await;
    assert_eq!(unknown.text, "Code inconnu : ZZZZZZZZ.");
}

async fn bad_commands_are_explained_and_write_nothing(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store).await;
    let lines = [
        "/promo 0 -20%",
        "/promo 10 -120%",
        "/promo 10 20%",
        "/promo 10 -20% exp:31/02",
        "/promo 10 -20% exp:01/01/2026",
        "/promo 10 -20% expire:31/12",
        "/promo 10 -20% max:1 max:2",
        "/promo 10 -20% prefix:NO-EL!",
        "/promo 10001 -20%",
        "/promo 10 -20% offre:boxe",
        "/promo 10 -20% cours:zumba",
        "/promo 1 -20% pour:marie",
        "/promos",
        "/promos INCONNU",
        "/promoo 10",
    ];
    let mut transcript = String::new();
    for line in lines {
        let reply = coach.run(line).await;
        transcript.push_str(&format!("> {line}\n{}\n\n", reply.text));
    }
    insta::assert_snapshot!("promo_refusals", transcript);
    assert!(
        coach.store.list_promo_batches(&coach.bot.id).await.unwrap().is_empty(),
        "no batch written"
    );
    let contacts = coach
        .store
        .list_contacts(&coach.bot.id, &PageRequest::first(10))
        .await
        .unwrap();
    assert!(contacts.items.is_empty(), "no contact written");
}

async fn a_code_for_someone_reserves_it_for_that_contact(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store).await;
    coach.run("/promo 1 -25% pour:Lea@Example.fr").await;
    let batch = coach.batch().await;
    let code = &codes_of(&coach, &batch).await[0];
    let lea = coach
        .store
        .find_contact_by_email(&coach.bot.id, &Email::parse("lea@example.fr").unwrap())
        .await
        .unwrap();
    let lea = lea.expect("a lead is created for the email");
    assert_eq!(code.assigned_to, Some(lea.id.clone()));

    coach.run("/promo 1 -10% pour:lea@example.fr").await;
    let contacts = coach
        .store
        .list_contacts(&coach.bot.id, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(contacts.items.len(), 1, "the same contact is reused");
    let listing = coach.run(&format!("/promos {batch}")).await;
    assert!(listing.text.contains("lea@example.fr"), "{}", listing.text);
}

async fn ten_thousand_codes_come_as_a_csv_document(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store).await;
    let reply = coach.run("/promo 10000 -10% exp:+30j").await;
    let batch = coach.batch().await;
    assert!(reply.text.contains("10000 codes créés"), "{}", reply.text);
    let csv = String::from_utf8(reply.document.expect("attached").bytes).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 10_000);
    let unique: HashSet<&str> = rows.iter().map(|r| r.split(',').next().unwrap()).collect();
    assert_eq!(unique.len(), 10_000, "no duplicate code");
    let usage = coach
        .store
        .promo_batch_usage(&coach.bot.id, &batch.as_str().into())
        .await
        .unwrap();
    assert_eq!(usage.codes, 10_000);
}

async fn taken_codes_are_drawn_again_until_the_batch_is_complete(store: Arc<dyn Store>) {
    use rand::SeedableRng;
    // Replay the seeded generator to learn the codes it will draw first, and take them beforehand.
    let mut replay = rand::rngs::StdRng::seed_from_u64(99);
    let _batch_id = coachbot::domain::BatchId::short(&mut replay);
    let upcoming: Vec<String> = (0..20).map(|_| code::generate(None, 8, &mut replay)).collect();
    let refs: Vec<&str> = upcoming.iter().map(String::as_str).collect();
    let (taken_batch, taken_codes) = crate::support::batch("demo", &refs[..10], 1, 1);
    store.insert_promo_batch(&taken_batch, &taken_codes).await.unwrap();

    let mut coach = Coach::new(store).await;
    coach.rng = rand::rngs::StdRng::seed_from_u64(99);
    coach.run("/promo 20 -10%").await;
    let batches = coach.store.list_promo_batches(&coach.bot.id).await.unwrap();
    let fresh = batches.iter().find(|b| b.id != taken_batch.id).unwrap();
    let codes = codes_of(&coach, fresh.id.as_str()).await;
    assert_eq!(codes.len(), 20);
    let keys: HashSet<&str> = codes.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys.len(), 20);
    assert!(
        refs[..10].iter().all(|taken| !keys.contains(taken)),
        "taken codes were drawn again"
    );
    assert!(
        refs[10..].iter().all(|free| keys.contains(free)),
        "the free ones were kept"
    );
}

async fn replies_follow_the_coachs_language(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store).await;
    coach.language = Language::En;
    let mut transcript = String::new();
    for line in [
        "/promo 2 -15 exp:31/12 max:0",
        "/promo 10 20%",
        "/promo 10 -20% expire:31/12",
        "/promos",
    ] {
        let reply = coach.run(line).await;
        let codes: Vec<String> = reply
            .text
            .lines()
            .filter(|l| l.len() == 8 && !l.contains(' '))
            .map(str::to_owned)
            .collect();
        let mut text = reply.text.clone();
        for (i, c) in codes.iter().enumerate() {
            text = text.replace(c, &format!("CODE{i}"));
        }
        transcript.push_str(&format!("> {line}\n{text}\n\n"));
    }
    insta::assert_snapshot!("promo_english", transcript.replace(&coach.batch().await, "LOT"));
    insta::assert_snapshot!("admin_help_fr", coachbot::admin::help(&coach.texts, Language::Fr));
}
