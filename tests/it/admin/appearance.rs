//! `/apparence` from the coach's chat: the widget's look shown, changed one part at a time and
//! kept in the store; wrong values explained with an example, writing nothing.

use super::Coach;
use crate::store::conformance;
use coachbot::domain::appearance::Position;
use coachbot::store::Store;
use std::sync::Arc;

conformance!(
    the_coach_changes_the_widget_look_from_chat,
    wrong_appearance_values_are_explained_and_change_nothing,
);

async fn the_coach_changes_the_widget_look_from_chat(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store.clone()).await;
    insta::assert_snapshot!("appearance_shown", coach.run("/apparence").await.text);
    insta::assert_snapshot!("appearance_colour", coach.run("/apparence couleur #FF6600").await.text);
    coach.run(r#"/apparence titre "Studio Lumière — Lyon""#).await;
    coach.run(r#"/apparence accueil "Bienvenue au studio !""#).await;
    coach.run("/apparence position gauche").await;
    coach.run("/apparence avatar https://studio-lumiere.fr/logo.png").await;

    let kept = store.load_appearance(&coach.bot.id).await.unwrap().unwrap();
    assert_eq!(kept.color, "#ff6600");
    assert_eq!(kept.title, "Studio Lumière — Lyon");
    assert_eq!(kept.welcome, "Bienvenue au studio !");
    assert_eq!(kept.position, Position::Left);
    assert_eq!(kept.avatar.as_deref(), Some("https://studio-lumiere.fr/logo.png"));
    coach.run("/apparence avatar aucun").await;
    let kept = store.load_appearance(&coach.bot.id).await.unwrap().unwrap();
    assert_eq!(kept.avatar, None);
}

async fn wrong_appearance_values_are_explained_and_change_nothing(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store.clone()).await;
    insta::assert_snapshot!(
        "appearance_bad_colour",
        coach.run("/apparence couleur orange").await.text
    );
    insta::assert_snapshot!("appearance_bad_part", coach.run("/apparence police Arial").await.text);
    insta::assert_snapshot!("appearance_missing_value", coach.run("/apparence titre").await.text);
    let long = format!("/apparence titre {}", "a".repeat(61));
    assert!(coach.run(&long).await.text.contains("60"));
    let avatar = coach.run("/apparence avatar javascript:alert(1)").await.text;
    assert!(avatar.contains("javascript:alert(1)"), "{avatar}");
    assert!(coach.run("/apparence position haut").await.text.contains("haut"));
    assert_eq!(store.load_appearance(&coach.bot.id).await.unwrap(), None);
}
