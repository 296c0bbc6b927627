//! `/cours ajouter "Yoga doux" mar 18:30 jeu 12:15 60min 12places [lieu:"Salle 2"]`: a new course,
//! its sessions planned at once.

use super::{AdminContext, CommandError};
use crate::domain::catalog::Course;
use crate::domain::reply::Reply;
use crate::domain::slot::{WeeklySlot, parse_time, parse_weekday};
use crate::store::StoreError;
use crate::t;
use unicode_normalization::UnicodeNormalization;

/// A course as the coach typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCourse {
    /// The name shown to visitors.
    pub name: String,
    /// Weekly start times.
    pub slots: Vec<WeeklySlot>,
    /// Minutes per session.
    pub duration_min: u32,
    /// Seats per session.
    pub capacity: u32,
    /// Where, when given.
    pub location: Option<String>,
}

/// A number followed by one of `units` (`60min`, `12places`, `12 places` is two words).
fn number_with(word: &str, units: &[&str]) -> Option<u32> {
    let lower = word.to_lowercase();
    let unit = units.iter().find(|u| lower.ends_with(*u))?;
    lower[..lower.len() - unit.len()].trim().parse().ok().filter(|n| *n > 0)
}

/// Reads the words after `/cours ajouter`.
pub fn parse_new_course(words: &[String]) -> Result<NewCourse, CommandError> {
    let missing = |field| CommandError::CourseMissing { field };
    let Some((name, rest)) = words.split_first() else {
        return Err(missing("name"));
    };
    if parse_weekday(name).is_some() || name.trim().is_empty() {
        return Err(missing("name"));
    }
    let (mut slots, mut duration_min, mut capacity, mut location) = (Vec::new(), None, None, None);
    let mut i = 0;
    while i < rest.len() {
        let word = &rest[i];
        if let Some(weekday) = parse_weekday(word) {
            let time = rest.get(i + 1).and_then(|t| parse_time(t)).ok_or(missing("slot"))?;
            slots.push(WeeklySlot { weekday, time });
            i += 2;
            continue;
        }
        if let Some(minutes) = number_with(word, &["minutes", "min", "mn"]) {
            duration_min = Some(minutes);
        } else if let Some(seats) = number_with(word, &["places", "place", "seats"]) {
            capacity = Some(seats);
        } else if let Some(place) = word.strip_prefix("lieu:").or_else(|| word.strip_prefix("location:")) {
            location = Some(place.trim().to_owned()).filter(|p| !p.is_empty());
        } else if let (Ok(n), Some(unit)) = (word.parse::<u32>(), rest.get(i + 1)) {
            // `60 min`, `12 places`: the number and its unit as two words.
            let joined = format!("{n}{unit}");
            if let Some(minutes) = number_with(&joined, &["minutes", "min", "mn"]) {
                duration_min = Some(minutes);
            } else if let Some(seats) = number_with(&joined, &["places", "place", "seats"]) {
                capacity = Some(seats);
            } else {
                return Err(CommandError::CourseWord { got: word.clone() });
            }
            i += 1;
        } else {
            return Err(CommandError::CourseWord { got: word.clone() });
        }
        i += 1;
    }
    if slots.is_empty() {
        return Err(missing("slot"));
    }
    Ok(NewCourse {
        name: name.trim().to_owned(),
        slots,
        duration_min: duration_min.ok_or(missing("duration"))?,
        capacity: capacity.ok_or(missing("capacity"))?,
        location,
    })
}

/// The course id made from its name: `Yoga doux` → `yoga-doux`, `Barre à terre` → `barre-a-terre`.
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.nfd().filter(char::is_ascii) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// Creates the course and plans its sessions.
pub async fn add_course(ctx: &AdminContext<'_>, new: &NewCourse) -> Result<Reply, StoreError> {
    let id = slug(&new.name);
    if id.is_empty() {
        return Ok(Reply::text(
            CommandError::CourseMissing { field: "name" }.render(ctx.texts, ctx.language),
        ));
    }
    let courses = ctx.store.list_courses(&ctx.bot.id).await?;
    if courses.iter().any(|c| c.id.as_str() == id) {
        return Ok(Reply::text(t!(ctx.texts, ctx.language, "course-exists", "id" => &id)));
    }
    let location = new
        .location
        .clone()
        .or_else(|| courses.first().map(|c| c.location.clone()))
        .unwrap_or_default();
    let course = Course {
        bot: ctx.bot.id.clone(),
        id: id.as_str().into(),
        name: new.name.clone(),
        description: String::new(),
        location,
        duration_min: new.duration_min,
        capacity: new.capacity,
        slots: new.slots.clone(),
        active: true,
    };
    ctx.store.upsert_course(&course).await?;
    let planned = crate::ops::schedule::plan_ahead(ctx.store, ctx.bot, ctx.now).await?;
    let slots: Vec<String> = course.slots.iter().map(ToString::to_string).collect();
    Ok(Reply::text(t!(ctx.texts, ctx.language, "course-added",
        "name" => &course.name, "id" => &id, "slots" => slots.join(", "), "minutes" => course.duration_min,
        "capacity" => course.capacity, "sessions" => planned)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, Weekday};
    use rstest::rstest;

    fn words(line: &str) -> Vec<String> {
        crate::admin::tokens::split(line).unwrap()
    }

    fn slot(weekday: Weekday, h: u32, m: u32) -> WeeklySlot {
        WeeklySlot {
            weekday,
            time: NaiveTime::from_hms_opt(h, m, 0).unwrap(),
        }
    }

    #[test]
    fn the_example_of_the_help_reads() {
        assert_eq!(
            parse_new_course(&words(r#""Yoga doux" mar 18:30 60min 12places"#)),
            Ok(NewCourse {
                name: "Yoga doux".into(),
                slots: vec![slot(Weekday::Tue, 18, 30)],
                duration_min: 60,
                capacity: 12,
                location: None,
            })
        );
    }

    #[test]
    fn several_slots_spaced_units_and_a_place_read() {
        assert_eq!(
            parse_new_course(&words(
                r#"« Barre au sol » lundi 9h jeu 12:15 45 min 8 places lieu:"Salle 2""#
            )),
            Ok(NewCourse {
                name: "Barre au sol".into(),
                slots: vec![slot(Weekday::Mon, 9, 0), slot(Weekday::Thu, 12, 15)],
                duration_min: 45,
                capacity: 8,
                location: Some("Salle 2".into()),
            })
        );
    }

    #[rstest]
    #[case::nothing("", CommandError::CourseMissing { field: "name" })]
    #[case::no_name("mar 18:30 60min 12places", CommandError::CourseMissing { field: "name" })]
    #[case::no_slot("Yoga 60min 12places", CommandError::CourseMissing { field: "slot" })]
    #[case::day_without_time("Yoga mar 60min 12places", CommandError::CourseMissing { field: "slot" })]
    #[case::no_duration("Yoga mar 18:30 12places", CommandError::CourseMissing { field: "duration" })]
    #[case::no_capacity("Yoga mar 18:30 60min", CommandError::CourseMissing { field: "capacity" })]
    #[case::zero_seats("Yoga mar 18:30 60min 0places", CommandError::CourseWord { got: "0places".into() })]
    #[case::stray_word("Yoga mar 18:30 60min 12places vite", CommandError::CourseWord { got: "vite".into() })]
    fn what_is_missing_or_wrong_is_named(#[case] line: &str, #[case] expected: CommandError) {
        assert_eq!(parse_new_course(&words(line)), Err(expected));
    }

    #[rstest]
    #[case("Yoga doux", "yoga-doux")]
    #[case("Barre à terre", "barre-a-terre")]
    #[case("  Pilates — Niveau 2 ", "pilates-niveau-2")]
    #[case("Été !", "ete")]
    fn a_course_id_comes_from_its_name(#[case] name: &str, #[case] expected: &str) {
        assert_eq!(slug(name), expected);
    }
}
