//! The catalog of a bot: courses (what is taught, when each week) and offers (how to pay for it).

use crate::domain::ids::{BotId, CourseId, OfferId};
use crate::domain::money::Money;
use crate::domain::slot::WeeklySlot;
use serde::{Deserialize, Serialize};

/// A course taught regularly, such as "Yoga doux" every Tuesday at 18:30.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Course {
    /// The bot.
    pub bot: BotId,
    /// The course id (a slug such as `yoga-doux`).
    pub id: CourseId,
    /// The name shown to visitors.
    pub name: String,
    /// A short description.
    pub description: String,
    /// Where it takes place.
    pub location: String,
    /// Length of one session, in minutes.
    pub duration_min: u32,
    /// Seats per session.
    pub capacity: u32,
    /// Weekly start times in the bot's time zone.
    pub slots: Vec<WeeklySlot>,
    /// Whether visitors can still book it.
    pub active: bool,
}

/// How an offer is paid for and used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OfferKind {
    /// One class, paid once.
    Single,
    /// A number of credits, each worth one class, valid for some days after purchase.
    Pack {
        /// Credits in the pack.
        credits: u32,
        /// Days the credits stay valid after purchase.
        valid_days: u32,
    },
    /// Unlimited classes for a period, with an optional cap per week.
    Subscription {
        /// Length of the period in days.
        period_days: u32,
        /// Classes allowed per week, if capped.
        weekly_cap: Option<u32>,
    },
}

/// Something a visitor can buy to attend classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// The bot.
    pub bot: BotId,
    /// The offer id (a slug such as `pack10`).
    pub id: OfferId,
    /// The name shown to visitors.
    pub name: String,
    /// Single class, pack or subscription.
    pub kind: OfferKind,
    /// The price.
    pub price: Money,
    /// The courses it covers; empty means every course.
    pub courses: Vec<CourseId>,
    /// Whether it can still be bought.
    pub active: bool,
}

impl Offer {
    /// Whether this offer can pay for a class of this course.
    pub fn covers(&self, course: &CourseId) -> bool {
        self.courses.is_empty() || self.courses.contains(course)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn offer(courses: &[&str]) -> Offer {
        Offer {
            bot: BotId::parse("demo").unwrap(),
            id: OfferId::from("single"),
            name: "Cours à l'unité".into(),
            kind: OfferKind::Single,
            price: Money::new(1500, Currency::EUR),
            courses: courses.iter().map(|c| CourseId::from(*c)).collect(),
            active: true,
        }
    }

    #[test]
    fn an_offer_without_courses_covers_every_course() {
        assert!(offer(&[]).covers(&CourseId::from("yoga")));
        assert!(offer(&["pilates"]).covers(&CourseId::from("pilates")));
        assert!(!offer(&["pilates"]).covers(&CourseId::from("yoga")));
    }

    #[test]
    fn offer_kinds_are_tagged_in_json() {
        let kind = OfferKind::Pack {
            credits: 10,
            valid_days: 90,
        };
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            r#"{"type":"pack","credits":10,"valid_days":90}"#
        );
    }
}
