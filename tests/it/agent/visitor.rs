//! A visitor in free text through the model: booking, moving, cancelling, details, the other
//! tools, and the summary memory.

use super::{FakeModel, call, known_visitor, last_tool_result, script_booking, start, start_with, text, texts};
use crate::chat::{COACH, Studio};
use coachbot::agent::Agents;
use coachbot::domain::contact::Channel;
use coachbot::store::Store;
use serde_json::json;
use std::sync::Arc;

crate::store::conformance!(
    a_visitor_books_in_free_text_through_the_model,
    a_visitor_moves_cancels_and_updates_details_through_the_model,
    a_long_conversation_is_remembered_as_a_summary_with_the_visitors_profile,
    the_other_visitor_tools_answer_from_the_visitors_own_facts,
);

async fn a_visitor_books_in_free_text_through_the_model(store: Arc<dyn Store>) {
    let model = FakeModel::default();
    let mut studio = Studio::open(store.clone()).await;
    let mut anna = known_visitor(&mut studio, "501").await;
    studio.agent = Some(Agents::one(studio.bot.id.clone(), start(&model, 5, 6).await));
    script_booking(&model);
    let handled = anna.says(&mut studio, "je voudrais réserver un yoga doux").await;
    let said = texts(&handled);
    assert!(said[0].starts_with("C'est réservé ! Référence"), "{said:?}");
    assert!(said[0].contains("18 €"));
    assert!(handled.replies[1].image.is_some(), "the ticket goes with the answer");

    let contact = store
        .find_contact_by_identity(
            &studio.bot.id,
            &coachbot::domain::contact::Identity::new(Channel::Telegram, "501"),
        )
        .await
        .unwrap()
        .unwrap();
    let bookings = store
        .list_bookings_for_contact(&studio.bot.id, &contact.id)
        .await
        .unwrap();
    assert_eq!(
        bookings.len(),
        1,
        "one booking, made through the same operation as the rule path"
    );
    assert!(said[0].contains(&bookings[0].reference));

    let requests = model.requests();
    assert_eq!(requests.len(), 4);
    let system = requests[0]["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("Studio Lumière") && system.contains("Anna"));
    assert!(
        !system.contains('€') && !system.contains("18"),
        "no price in the prompt: {system}"
    );
    let offered: Vec<&str> = requests[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(
        offered.contains(&"book") && !offered.contains(&"propose_command"),
        "{offered:?}"
    );
    assert_eq!(requests[0]["model"], "test-model");
}

async fn a_visitor_moves_cancels_and_updates_details_through_the_model(store: Arc<dyn Store>) {
    let model = FakeModel::default();
    let mut studio = Studio::open(store.clone()).await;
    let mut ben = known_visitor(&mut studio, "505").await;
    studio.agent = Some(Agents::one(studio.bot.id.clone(), start(&model, 5, 6).await));
    script_booking(&model);
    ben.says(&mut studio, "un yoga doux s'il vous plaît").await;
    let identity = coachbot::domain::contact::Identity::new(Channel::Telegram, "505");
    let contact = store
        .find_contact_by_identity(&studio.bot.id, &identity)
        .await
        .unwrap()
        .unwrap();
    let booked = store
        .list_bookings_for_contact(&studio.bot.id, &contact.id)
        .await
        .unwrap()
        .remove(0);

    let reference = booked.reference.clone();
    model
        .then(|_| call("list_sessions", r#"{"course":"yoga-doux"}"#))
        .then(move |request| {
            let second = last_tool_result(request)["sessions"][1]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            call(
                "move_booking",
                &json!({ "reference": reference, "session": second }).to_string(),
            )
        })
        .then(|request| {
            assert_eq!(last_tool_result(request)["ok"], true, "{}", last_tool_result(request));
            text("C'est déplacé.")
        });
    assert_eq!(
        texts(&ben.says(&mut studio, "décale-le à la séance d'après").await),
        ["C'est déplacé."]
    );
    let bookings = store
        .list_bookings_for_contact(&studio.bot.id, &contact.id)
        .await
        .unwrap();
    let active: Vec<_> = bookings.iter().filter(|b| b.is_active()).collect();
    assert_eq!(active.len(), 1);
    assert_ne!(active[0].session, booked.session, "moved to another session");

    let moved = active[0].reference.clone();
    model
        .then(move |_| call("cancel_booking", &json!({ "reference": moved }).to_string()))
        .then(|request| {
            assert_eq!(last_tool_result(request)["ok"], true);
            text("C'est annulé.")
        });
    ben.says(&mut studio, "finalement annule").await;
    let bookings = store
        .list_bookings_for_contact(&studio.bot.id, &contact.id)
        .await
        .unwrap();
    assert!(bookings.iter().all(|b| !b.is_active()), "cancelled");

    // A reference that is not one of this visitor's bookings.
    model
        .then(|_| call("cancel_booking", r#"{"reference":"ZZZZZZ"}"#))
        .then(|request| {
            assert_eq!(last_tool_result(request)["ok"], false);
            text("Je ne trouve pas cette réservation.")
        });
    ben.says(&mut studio, "annule la réservation ZZZZZZ").await;

    model
        .then(|_| {
            call(
                "save_contact",
                r#"{"name":"Ben","email":"ben@","phone":"0612345678","consent":true}"#,
            )
        })
        .then(|request| {
            let refused = last_tool_result(request);
            assert!(refused["refused"].as_str().unwrap().contains("ben@"), "{refused}");
            call(
                "save_contact",
                r#"{"name":"Ben","email":"ben.new@example.fr","phone":"0612345678","consent":true}"#,
            )
        })
        .then(|_| text("C'est noté."));
    ben.says(&mut studio, "mon email est ben.new@example.fr").await;
    let contact = store
        .find_contact_by_identity(&studio.bot.id, &identity)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(contact.email.unwrap().as_str(), "ben.new@example.fr");
}

async fn a_long_conversation_is_remembered_as_a_summary_with_the_visitors_profile(store: Arc<dyn Store>) {
    let model = FakeModel::default();
    let mut studio = Studio::open(store.clone()).await;
    let mut anna = known_visitor(&mut studio, "506").await;
    let agent = start_with(&model, "history_messages = 4").await;
    studio.agent = Some(Agents::one(studio.bot.id.clone(), agent));
    model
        .then(|request| {
            assert!(request.get("tools").is_none(), "a summary uses no tools");
            let transcript = request["messages"][1]["content"].as_str().unwrap();
            assert!(transcript.contains("Visitor: Anna"), "{transcript}");
            text("Anna a donné ses coordonnées et accepte les nouveautés.")
        })
        .then(|request| {
            let system = request["messages"][0]["content"].as_str().unwrap();
            assert!(
                system.contains("Earlier in this conversation: Anna a donné ses coordonnées"),
                "{system}"
            );
            assert!(
                system.contains("email anna-506@example.fr") && system.contains("news and offers: yes"),
                "{system}"
            );
            assert_eq!(
                request["messages"].as_array().unwrap().len(),
                1 + 4 + 1,
                "system, 4 lines, the text"
            );
            text("Le pilates a lieu le lundi soir et le mercredi matin.")
        })
        .then(|request| {
            let system = request["messages"][0]["content"].as_str().unwrap();
            assert!(
                system.contains("Earlier in this conversation: Anna a donné"),
                "the summary is kept"
            );
            text("Avec plaisir !")
        });
    anna.says(&mut studio, "et le pilates, c'est quand ?").await;
    assert_eq!(model.requests().len(), 2, "a summary, then the answer");
    assert_eq!(texts(&anna.says(&mut studio, "super merci").await), ["Avec plaisir !"]);
    assert_eq!(model.requests().len(), 3, "too few new lines for another summary");
}

async fn the_other_visitor_tools_answer_from_the_visitors_own_facts(store: Arc<dyn Store>) {
    let model = FakeModel::default();
    let mut studio = Studio::open(store.clone()).await;
    let mut coach = studio.person(Channel::Telegram, &COACH.to_string());
    coach.says(&mut studio, "/promo 1 -10% prefix:ZEN").await;
    let code = store.list_promo_batches(&studio.bot.id).await.unwrap()[0].id.clone();
    let codes = store
        .list_promo_codes(&studio.bot.id, &code, &coachbot::store::PageRequest::first(10))
        .await
        .unwrap();
    let promo = codes.items[0].code.clone();
    let mut cleo = known_visitor(&mut studio, "507").await;
    studio.agent = Some(Agents::one(studio.bot.id.clone(), start(&model, 5, 8).await));
    let checked = promo.clone();
    model
        .then(|_| call("list_courses", ""))
        .then(|request| {
            let courses = last_tool_result(request);
            let names: Vec<&str> = courses["courses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["Danse afro", "Pilates", "Yoga doux"]);
            call("list_sessions", r#"{"course":"pilates"}"#)
        })
        .then(move |request| {
            let session = last_tool_result(request)["sessions"][0]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            call(
                "check_promo",
                &json!({ "code": checked, "offer": "single", "session": session }).to_string(),
            )
        })
        .then(|request| {
            let checked = last_tool_result(request);
            assert_eq!(checked["ok"], true, "{checked}");
            assert_eq!(checked["price"], "16,20 €");
            call("my_bookings", "")
        })
        .then(|request| {
            assert_eq!(last_tool_result(request)["bookings"], json!([]));
            call("my_credits", "")
        })
        .then(|request| {
            assert_eq!(last_tool_result(request)["credits"], json!([]));
            call("handoff_to_coach", r#"{"summary":"Cléo veut un cours privé."}"#)
        })
        .then(|request| {
            assert_eq!(last_tool_result(request)["ok"], true);
            text("Avec le code, le cours de pilates revient à 16,20 €. J'ai prévenu le coach pour le cours privé.")
        });
    let said = texts(
        &cleo
            .says(&mut studio, "le pilates avec mon code, et un cours privé ?")
            .await,
    );
    assert_eq!(
        said,
        ["Avec le code, le cours de pilates revient à 16,20 €. J'ai prévenu le coach pour le cours privé."]
    );
    let to_coach = studio.outbox().await;
    assert!(
        to_coach.iter().any(|m| m.to == COACH.to_string()),
        "the coach is told: {to_coach:?}"
    );
}
