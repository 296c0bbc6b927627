//! The `/promo` grammar: the issue's examples, every refusal, and properties (never panics,
//! round-trips every valid command).

use super::grammar::*;
use crate::admin::error::CommandError;
use crate::admin::{AdminCommand, parse};
use crate::domain::BatchId;
use crate::domain::contact::{Email, Phone, Region};
use crate::domain::dates::{DateError, DaySpec, Unit};
use crate::domain::money::Currency;
use crate::domain::promo::{Discount, DiscountError};
use chrono::NaiveDate;
use proptest::prelude::*;
use rstest::rstest;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn ctx() -> ParseContext {
    ParseContext {
        today: today(),
        currency: Currency::EUR,
        region: Region::parse("FR").unwrap(),
        max_codes: 10_000,
    }
}

fn promo(line: &str) -> Result<PromoCommand, CommandError> {
    parse(line, &ctx()).map(|command| match command {
        AdminCommand::Promo(p) => p,
        other => panic!("not a promo command: {other:?}"),
    })
}

fn day(m: u32, d: u32, y: i32) -> DaySpec {
    DaySpec::On(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn generate(count: u32, discount: Discount, edit: impl FnOnce(&mut Generate)) -> PromoCommand {
    let mut g = Generate {
        count,
        terms: TermChanges {
            discount: Some(discount),
            ..TermChanges::default()
        },
        prefix: None,
        len: None,
        assign: None,
        note: None,
    };
    edit(&mut g);
    PromoCommand::Generate(g)
}

#[test]
fn the_examples_of_the_issue_parse() {
    assert_eq!(
        promo("/promo 10 -20%"),
        Ok(generate(10, Discount::Percent { percent: 20 }, |_| {}))
    );
    assert_eq!(
        promo("/promo 5 -15€ exp:31/12 offre:pack10"),
        Ok(generate(5, Discount::Amount { minor: 1500 }, |g| {
            g.terms.expires = Some(day(12, 31, 2026));
            g.terms.offers = Some(vec!["pack10".into()]);
        }))
    );
    assert_eq!(
        promo("/promo 50 -10% exp:+30j max:1 par-client:1 prefix:NOEL"),
        Ok(generate(50, Discount::Percent { percent: 10 }, |g| {
            g.terms.expires = Some(DaySpec::After {
                amount: 30,
                unit: Unit::Days,
            });
            g.terms.max_uses = Some(1);
            g.terms.per_contact = Some(1);
            g.prefix = Some("NOEL".into());
        }))
    );
    assert_eq!(
        promo("/promo 1 -25% pour:+33612345678"),
        Ok(generate(1, Discount::Percent { percent: 25 }, |g| {
            g.assign = Some(ContactRef::Phone(Phone::parse("+33612345678", None).unwrap()));
        }))
    );
    assert_eq!(
        promo("/promo 3 -12.50 min:30 cours:yoga-doux,Pilates note:\"Salon 2026\" len:10 debut:01/12"),
        Ok(generate(3, Discount::Amount { minor: 1250 }, |g| {
            g.terms.min_amount = Some(3000);
            g.terms.courses = Some(vec!["yoga-doux".into(), "pilates".into()]);
            g.terms.starts = Some(day(12, 1, 2026));
            g.note = Some("Salon 2026".into());
            g.len = Some(10);
        }))
    );
}

#[test]
fn edits_lists_and_help_parse() {
    let edit = |code: &str, f: fn(&mut EditCode)| {
        let mut e = EditCode {
            code: code.into(),
            terms: TermChanges::default(),
            assign: None,
            switch: None,
        };
        f(&mut e);
        PromoCommand::EditCode(e)
    };
    assert_eq!(
        promo("/promo NOEL-7KQ2M9XT -30%"),
        Ok(edit("NOEL7KQ2M9XT", |e| e.terms.discount =
            Some(Discount::Percent { percent: 30 })))
    );
    assert_eq!(
        promo("/promo noel-7kq2m9xt exp:15/01"),
        Ok(edit("NOEL7KQ2M9XT", |e| e.terms.expires = Some(day(1, 15, 2027))))
    );
    assert_eq!(
        promo("/promo NOEL-7KQ2M9XT max:3"),
        Ok(edit("NOEL7KQ2M9XT", |e| e.terms.max_uses = Some(3)))
    );
    assert_eq!(
        promo("/promo NOEL-7KQ2M9XT off"),
        Ok(edit("NOEL7KQ2M9XT", |e| e.switch = Some(Switch::Off)))
    );
    assert_eq!(
        promo("/promo NOEL-7KQ2M9XT on"),
        Ok(edit("NOEL7KQ2M9XT", |e| e.switch = Some(Switch::On)))
    );
    assert_eq!(
        promo("/promo NOEL-7KQ2M9XT suppr"),
        Ok(edit("NOEL7KQ2M9XT", |e| e.switch = Some(Switch::Delete)))
    );
    assert_eq!(
        promo("/promo NOEL-7KQ2M9XT pour:Email@X.fr"),
        Ok(edit("NOEL7KQ2M9XT", |e| e.assign =
            Some(ContactRef::Email(Email::parse("email@x.fr").unwrap()))))
    );
    assert_eq!(
        promo("/promo lot k7q2m exp:+2sem"),
        Ok(PromoCommand::EditBatch {
            batch: BatchId::from("K7Q2M"),
            terms: TermChanges {
                expires: Some(DaySpec::After {
                    amount: 2,
                    unit: Unit::Weeks
                }),
                ..Default::default()
            }
        })
    );
    assert_eq!(promo("/promos"), Ok(PromoCommand::ListBatches));
    assert_eq!(
        promo("/promos K7Q2M"),
        Ok(PromoCommand::ListCodes(BatchId::from("K7Q2M")))
    );
    assert_eq!(
        promo("/promos k7q2m CSV"),
        Ok(PromoCommand::Export(BatchId::from("K7Q2M")))
    );
    assert_eq!(promo("/promo aide"), Ok(PromoCommand::Help));
    assert_eq!(promo("/promo@StudioBot help"), Ok(PromoCommand::Help));
    assert_eq!(parse("/aide", &ctx()), Ok(AdminCommand::Help));
}

#[rstest]
#[case::zero("/promo 0 -20%", CommandError::Count { got: "0".into() })]
#[case::over_100("/promo 10 -120%", CommandError::Discount(DiscountError::PercentOutOfRange(120)))]
#[case::missing_minus("/promo 10 20%", CommandError::Discount(DiscountError::MissingMinus { suggestion: "-20%".into() }))]
#[case::missing_minus_amount("/promo 10 15", CommandError::Discount(DiscountError::MissingMinus { suggestion: "-15".into() }))]
#[case::no_such_day("/promo 10 -20% exp:31/02", CommandError::Date { option: "exp".into(), error: DateError::Invalid("31/02".into()) })]
#[case::past("/promo 10 -20% exp:01/01/2020", CommandError::Date { option: "exp".into(), error: DateError::InPast(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()) })]
#[case::misspelt_option("/promo 10 -20% expire:31/12", CommandError::UnknownOption { name: "expire".into(), suggestion: Some("exp") })]
#[case::unknown_option("/promo 10 -20% zzz:1", CommandError::UnknownOption { name: "zzz".into(), suggestion: None })]
#[case::duplicate("/promo 10 -20% max:1 max:2", CommandError::DuplicateOption { name: "max".into() })]
#[case::two_discounts("/promo 10 -20% -10%", CommandError::DuplicateOption { name: "-10%".into() })]
#[case::prefix_symbols("/promo 10 -20% prefix:NO-EL!", CommandError::Prefix { got: "NO-EL!".into() })]
#[case::over_limit("/promo 10001 -20%", CommandError::CountOverLimit { got: 10001, limit: 10_000 })]
#[case::no_discount("/promo 10 exp:31/12", CommandError::MissingDiscount)]
#[case::bad_len("/promo 10 -20% len:4", CommandError::Length { got: "4".into() })]
#[case::bad_contact("/promo 1 -20% pour:marie", CommandError::Contact { got: "marie".into() })]
#[case::bad_number("/promo 10 -20% max:deux", CommandError::Number { option: "max".into(), got: "deux".into() })]
#[case::empty_value("/promo 10 -20% exp:", CommandError::EmptyValue { name: "exp".into() })]
#[case::prefix_on_edit("/promo ABCDEFGH prefix:NOEL", CommandError::OnlyWhenCreating { option: "prefix".into() })]
#[case::on_and_off("/promo ABCDEFGH on off", CommandError::Conflicting { first: "on".into(), second: "off".into() })]
#[case::delete_and_change("/promo ABCDEFGH suppr -10%", CommandError::Conflicting { first: "suppr".into(), second: "-10%".into() })]
#[case::nothing_to_change("/promo ABCDEFGH", CommandError::Usage { command: "promo" })]
#[case::bare("/promo", CommandError::Usage { command: "promo" })]
#[case::stray_word("/promo 10 -20% vite", CommandError::Unexpected { word: "vite".into() })]
#[case::quote("/promo 10 -20% note:\"oops", CommandError::UnbalancedQuote)]
#[case::unknown_command("/promoo 10 -20%", CommandError::UnknownCommand { name: "promoo".into() })]
#[case::promos_extra("/promos K7Q2M pdf", CommandError::Usage { command: "promos" })]
fn bad_commands_say_what_is_wrong(#[case] line: &str, #[case] expected: CommandError) {
    assert_eq!(parse(line, &ctx()), Err(expected));
}

#[test]
fn every_error_renders_with_an_example_in_both_languages() {
    let texts = crate::i18n::Texts::builtin();
    for line in [
        "/promo 10 20%",
        "/promo 10 -20% expire:31/12",
        "/promo 0 -20%",
        "/promo 10 -20% prefix:N!",
    ] {
        let error = parse(line, &ctx()).unwrap_err();
        for language in [
            crate::domain::language::Language::Fr,
            crate::domain::language::Language::En,
        ] {
            let text = error.render(&texts, language);
            assert!(text.contains("/promo"), "{text}");
            assert!(
                !text.contains("promo-error") && !text.contains("admin-"),
                "untranslated: {text}"
            );
        }
    }
}

fn ids() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[a-z0-9][a-z0-9-]{0,9}", 1..3)
}

fn terms(require_discount: bool) -> impl Strategy<Value = TermChanges> {
    let discount = prop_oneof![
        (1u8..=100).prop_map(|percent| Discount::Percent { percent }),
        (1i64..100_000).prop_map(|minor| Discount::Amount { minor }),
    ];
    let date = prop_oneof![
        (0i64..1500).prop_map(|d| DaySpec::On(today() + chrono::Duration::days(d))),
        (1u32..400, any::<bool>()).prop_map(|(amount, w)| DaySpec::After {
            amount,
            unit: if w { Unit::Weeks } else { Unit::Days }
        }),
    ];
    let discount = if require_discount {
        discount.prop_map(Some).boxed()
    } else {
        proptest::option::of(discount).boxed()
    };
    (
        discount,
        proptest::option::of(date.clone()),
        proptest::option::of(date),
        proptest::option::of(0u32..1000),
        proptest::option::of(0u32..10),
        proptest::option::of(ids()),
        proptest::option::of(ids()),
        proptest::option::of(1i64..1_000_000),
    )
        .prop_map(
            |(discount, expires, starts, max_uses, per_contact, offers, courses, min_amount)| TermChanges {
                discount,
                expires,
                starts,
                max_uses,
                per_contact,
                offers,
                courses,
                min_amount,
            },
        )
}

fn contact() -> impl Strategy<Value = ContactRef> {
    prop_oneof![
        prop::sample::select(vec!["+33612345678", "+32470123456", "+41791234567"])
            .prop_map(|p| ContactRef::Phone(Phone::parse(p, None).unwrap())),
        "[a-z]{1,8}@[a-z]{1,8}\\.fr".prop_map(|e| ContactRef::Email(Email::parse(&e).unwrap())),
    ]
}

fn command() -> impl Strategy<Value = PromoCommand> {
    let batch = "[A-HJKMNP-Z2-9]{5}".prop_map(|b| BatchId::from(b.as_str()));
    let code = "[A-HJKMNP-Z]{2}[A-HJKMNP-Z2-9]{6,10}";
    let generate = (
        1u32..=10_000,
        terms(true),
        proptest::option::of("[A-Z0-9]{1,12}"),
        proptest::option::of(6u8..=16),
        proptest::option::of(contact()),
        proptest::option::of("[A-Za-zéè0-9,.!]([A-Za-zéè0-9 ,.!]{0,20}[A-Za-zéè0-9,.!])?"),
    )
        .prop_map(|(count, terms, prefix, len, assign, note)| {
            PromoCommand::Generate(Generate {
                count,
                terms,
                prefix,
                len,
                assign,
                note,
            })
        });
    let switch = prop_oneof![Just(None), Just(Some(Switch::On)), Just(Some(Switch::Off))];
    let edit = (code, terms(false), proptest::option::of(contact()), switch)
        .prop_filter("an edit changes something", |(_, t, a, s)| {
            !t.is_empty() || a.is_some() || s.is_some()
        })
        .prop_map(|(code, terms, assign, switch)| {
            PromoCommand::EditCode(EditCode {
                code,
                terms,
                assign,
                switch,
            })
        });
    let delete = "[A-HJKMNP-Z]{2}[A-HJKMNP-Z2-9]{6}".prop_map(|code| {
        PromoCommand::EditCode(EditCode {
            code,
            terms: TermChanges::default(),
            assign: None,
            switch: Some(Switch::Delete),
        })
    });
    let edit_batch = (batch.clone(), terms(false))
        .prop_filter("a batch edit changes something", |(_, t)| !t.is_empty())
        .prop_map(|(batch, terms)| PromoCommand::EditBatch { batch, terms });
    prop_oneof![
        4 => generate,
        3 => edit,
        1 => delete,
        2 => edit_batch,
        1 => Just(PromoCommand::Help),
        1 => Just(PromoCommand::ListBatches),
        1 => batch.clone().prop_map(PromoCommand::ListCodes),
        1 => batch.prop_map(PromoCommand::Export),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_valid_command_round_trips(command in command()) {
        let text = CommandText(&command, Currency::EUR).to_string();
        prop_assert_eq!(promo(&text), Ok(command), "text: {}", text);
    }

    #[test]
    fn the_parser_never_panics(line in "\\PC{0,80}") {
        let _ = parse(&line, &ctx());
    }

    #[test]
    fn the_parser_never_panics_on_promo_shaped_input(rest in "[ 0-9a-zA-Z:%€/+,.\"-]{0,60}") {
        let _ = parse(&format!("/promo {rest}"), &ctx());
        let _ = parse(&format!("/promos {rest}"), &ctx());
    }
}
