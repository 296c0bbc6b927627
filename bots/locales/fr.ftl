# Textes en français (langue par défaut). Les identifiants sont en anglais, les textes non.
# Syntaxe Fluent : { $nom } insère un argument ; les variantes [one] / *[other] gèrent le pluriel.

## Commandes du coach : aide

admin-help-title = Commandes du coach :
admin-help-promo = créer des codes promo en une fois
admin-help-promo-edit = modifier un code (remise, dates, max, pour:, on, off, suppr)
admin-help-promo-batch = modifier tout un lot (les codes modifiés un par un gardent leur valeur)
admin-help-promos = lister les lots, les codes d'un lot, ou l'exporter en CSV
admin-help-help = cette aide ; la grammaire complète des codes promo
admin-example = Exemple : { $example }

## Commandes du coach : erreurs

admin-error-unknown-command = Commande inconnue : /{ $name }. Tapez /aide pour la liste.
admin-error-usage = Il manque quelque chose à /{ $command }.
admin-error-unknown-option = Option inconnue : « { $name }: ».
admin-error-unknown-option-suggest = Option inconnue : « { $name }: ». Vouliez-vous dire « { $suggestion }: » ?
admin-error-duplicate-option = L'option « { $name } » est donnée deux fois.
admin-error-empty-value = L'option « { $name }: » n'a pas de valeur.
admin-error-date = { $option } : « { $got } » n'est pas une date valide (jj/mm, jj/mm/aaaa, aaaa-mm-jj ou +30j).
admin-error-date-past = { $option } : le { $date } est déjà passé.
admin-error-number = { $option } : « { $got } » n'est pas un nombre entier.
admin-error-amount = { $option } : « { $got } » n'est pas un montant.
admin-error-contact = pour : « { $got } » n'est ni un numéro de téléphone ni un email.
admin-error-conflicting = « { $first } » et « { $second } » ne vont pas ensemble.
admin-error-unexpected = Je ne comprends pas « { $word } » ici.
admin-error-quote = Un guillemet ouvert n'est pas refermé.
admin-error-internal = Désolé, un problème technique m'empêche de le faire. Réessayez dans un instant.

## Codes promo : erreurs de commande

promo-error-count = Le nombre de codes doit être un entier supérieur à 0 (reçu « { $got } »).
promo-error-count-limit = { $got } codes, c'est trop en une fois : { $limit } au maximum ici.
promo-error-missing-discount = Indiquez la remise, par exemple -20% ou -15.
promo-error-missing-minus = Une remise commence par un signe moins : écrivez { $suggestion }.
promo-error-percent = Un pourcentage va de 1 à 100 (reçu { $got }).
promo-error-zero = Une remise de 0 n'enlève rien.
promo-error-discount = « { $got } » n'est pas une remise : écrivez -20% ou -15.
promo-error-prefix = Préfixe « { $got } » : 1 à 12 lettres A–Z ou chiffres, sans symbole.
promo-error-length = Longueur « { $got } » : de 6 à 16 caractères.
promo-error-only-create = L'option « { $option }: » ne sert qu'à la création des codes.
promo-error-unknown-offer = Offre inconnue : « { $id } ». Offres : { $known }.
promo-error-unknown-course = Cours inconnu : « { $id } ». Cours : { $known }.
promo-error-exhausted = Impossible de tirer assez de codes différents : essayez une longueur plus grande (len:12).
promo-error-not-found = Lot inconnu. Tapez /promos pour la liste.
promo-error-unknown-code = Code inconnu : { $code }.

## Codes promo : aide

promo-help-intro = /promo NOMBRE REMISE [options] crée NOMBRE codes uniques aux mêmes conditions. REMISE : -20% ou -15 (en euros). Options :
promo-help-exp = date de fin (jj/mm, jj/mm/aaaa, aaaa-mm-jj) ou délai après création (+30j, +2sem)
promo-help-start = date de début
promo-help-max = utilisations par code (1 par défaut, 0 = illimité)
promo-help-per-contact = utilisations par client (1 par défaut, 0 = illimité)
promo-help-offer = réservé à ces offres (liste séparée par des virgules)
promo-help-course = réservé à ces cours
promo-help-min = montant minimum de la commande
promo-help-prefix = préfixe des codes (A–Z, 0–9, 12 au plus)
promo-help-len = longueur de la partie aléatoire (6 à 16, 8 par défaut)
promo-help-for = réservé à un client (téléphone ou email)
promo-help-note = une note pour vous
promo-help-examples = Exemples : /promo 10 -20% · /promo 5 -15€ exp:31/12 offre:pack10 · /promo 50 -10% exp:+30j max:1 par-client:1 prefix:NOEL · /promo 1 -25% pour:+33612345678. Ensuite : /promo CODE -30%, /promo CODE off, /promo lot LOT exp:15/01, /promos, /promos LOT csv.

## Codes promo : résultats

promo-created-count = { $count ->
    [one] { $count } code créé
   *[other] { $count } codes créés
}
promo-created = ✅ { $count ->
    [one] { $count } code créé
   *[other] { $count } codes créés
} (lot { $batch }) :
promo-cli-done = ✅ { $count ->
    [one] { $count } code créé
   *[other] { $count } codes créés
} (lot { $batch }).
promo-created-attached = La liste complète est dans le fichier joint (ou /promos { $batch } csv).
promo-exported = { $count ->
    [one] { $count } code
   *[other] { $count } codes
} du lot { $batch } en CSV.
promo-term-until = valable jusqu'au { $date } inclus
promo-term-no-end = sans date de fin
promo-term-from = à partir du { $date }
promo-term-max = { $max ->
    [0] utilisations illimitées
    [one] { $max } utilisation par code
   *[other] { $max } utilisations par code
}
promo-term-per-contact = { $max ->
    [one] { $max } fois par client
   *[other] { $max } fois par client
}
promo-term-offers = offres : { $ids }
promo-term-courses = cours : { $ids }
promo-term-min = dès { $amount }
promo-value-none = aucune
promo-value-unlimited = illimité
promo-value-all = toutes
promo-field-discount = remise
promo-field-expires = fin
promo-field-starts = début
promo-field-max = utilisations max
promo-field-per-contact = utilisations par client
promo-field-offers = offres
promo-field-courses = cours
promo-field-min = minimum
promo-changed = ✅ { $target } : { $field } { $new } (avant : { $old })
promo-assigned = ✅ { $code } : réservé à { $contact }
promo-switched-off = ✅ { $code } : désactivé
promo-switched-on = ✅ { $code } : réactivé
promo-unchanged = { $code } : rien n'a changé.
promo-deleted = ✅ { $code } : supprimé
promo-delete-refused = { $code } ne peut pas être supprimé : il a déjà servi { $uses ->
    [one] { $uses } fois
   *[other] { $uses } fois
}. Désactivez-le plutôt : /promo { $code } off
promo-batch-name = lot { $batch }
promo-batch-applied = Appliqué à { $applied ->
    [one] { $applied } code
   *[other] { $applied } codes
} ; { $kept ->
    [0] aucun code ne garde sa propre valeur.
    [one] { $kept } code garde sa propre valeur.
   *[other] { $kept } codes gardent leur propre valeur.
}
promo-no-batches = Aucun code promo pour l'instant. Créez-en : /promo 10 -20%
promo-batches-title = Lots de codes promo :
promo-batch-line = { $batch } · { $discount } · fin : { $expires } · { $used }/{ $total } utilisés
promo-codes-title = Lot { $batch } ({ $count ->
    [one] { $count } code
   *[other] { $count } codes
}) :
promo-codes-more = … et { $more } de plus : /promos { $batch } csv
promo-status-unused = non utilisé
promo-status-used = utilisé
promo-status-used-up = épuisé
promo-status-expired = expiré
promo-status-disabled = désactivé
promo-status-uses = utilisé { $uses }/{ $max }
promo-csv-header = code,remise,fin,max,utilisations,contact,statut

## Codes promo : côté visiteur

promo-refused-unknown = Je ne trouve pas ce code. Vérifiez l'orthographe ?
promo-refused-disabled = Ce code n'est plus actif.
promo-refused-not-yet = Ce code sera valable à partir du { $date }.
promo-refused-expired = Ce code a expiré le { $date }.
promo-refused-used-up = Ce code a déjà été utilisé le nombre de fois prévu.
promo-refused-already-used = Vous avez déjà utilisé ce code.
promo-refused-not-for-offer = Ce code n'est pas valable pour cette offre.
promo-refused-not-for-course = Ce code n'est pas valable pour ce cours.
promo-refused-minimum = Ce code s'applique à partir de { $amount }.
promo-refused-assigned = Ce code est réservé à une autre personne.
promo-accepted = Code accepté : { $discount }. Nouveau prix : { $price }.

## Accueil : validation des billets

checkin-ok = ✅ { $name } — { $course } { $time }
checkin-already = Billet déjà validé à { $at }.
checkin-invalid = ⛔ Ce billet n'est pas valable (code illisible, modifié ou d'un autre studio).
checkin-unknown = ⛔ Réservation introuvable.
checkin-cancelled = ⛔ Cette réservation a été annulée.
checkin-unpaid = ⛔ Cette réservation n'est pas encore payée.
checkin-other-day = ⛔ Ce billet est pour le { $date }.
checkin-no-code = Je ne trouve pas de QR code sur cette photo. Essayez plus près, bien à plat, ou tapez /checkin suivi du code.
checkin-photo-lost = Je n'ai pas pu lire cette photo : le service a redémarré pendant que je la traitais. Envoyez-la à nouveau, s'il vous plaît.
checkin-no-key = Les billets ne peuvent pas être vérifiés : la clé de signature n'est pas configurée.
admin-help-checkin = valider un billet (ou envoyez la photo de son QR code)
admin-help-appearance = la couleur du widget du site (aussi : position gauche|droite, avatar URL|aucun)
admin-help-appearance-text = le titre du widget (aussi : accueil "…" pour son premier message) ; /apparence seul montre tout
appearance-current = 🎨 Apparence du widget :
appearance-saved = ✅ Apparence enregistrée ; le widget l'affiche au prochain chargement de la page :
appearance-summary = • couleur : { $color }
    • titre : { $title }
    • accueil : { $welcome }
    • avatar : { $avatar }
    • position : { $position }
appearance-right = en bas à droite
appearance-left = en bas à gauche
appearance-no-avatar = aucun
appearance-error-colour = « { $got } » n'est pas une couleur : écrivez-la en hexadécimal, #rrvvbb.
appearance-error-length = Le texte doit faire entre 1 et { $max } caractères.
appearance-error-avatar = « { $got } » n'est pas l'adresse d'une image (https://… ou /…).
appearance-error-position = « { $got } » n'est pas une position : droite ou gauche.
appearance-error-field = « { $got } » ne fait pas partie de l'apparence : couleur, titre, accueil, avatar ou position.

## Le studio : cours, offres, réservations

admin-help-courses = les cours et leurs créneaux
admin-help-offers = les offres et leurs prix
admin-help-bookings = les réservations (aujourdhui, demain, semaine ou JJ/MM)
courses-title = Cours :
course-line = { $id } · { $name } · { $slots } · { $minutes } min · { $capacity } places
offers-title = Offres :
offer-line-single = { $id } · { $name } · { $price } la séance
offer-line-pack = { $id } · { $name } · { $price } · { $credits } séances valables { $days } jours
offer-line-subscription = { $id } · { $name } · { $price } · { $days } jours{ $cap ->
    [0] {""}
   *[other] , { $cap } séances par semaine
}
bookings-session = { $course } · { $when } · { $taken }/{ $capacity }
bookings-line = • { $reference } · { $name } — { $offer }, { $payment }
bookings-checked-in = ✅ validé
bookings-none = Aucune réservation sur cette période.
payment-online = payé en ligne
payment-on-site = paiement sur place
payment-credit = crédit
payment-free = gratuit
payment-pending = paiement en attente
admin-help-answer = répondre à un visiteur (téléphone, e-mail ou identifiant), sur son canal
answer-sent = ✅ Message envoyé à { $name }.
answer-no-channel = { $name } n'a écrit sur aucun canal : impossible de lui envoyer un message.
answer-unknown = Personne ne correspond à « { $to } » (téléphone, e-mail ou identifiant).
admin-help-course-add = créer un cours (nom, jours et heures, durée, places) : ses séances sont planifiées
course-added = ✅ Cours « { $name } » créé ({ $id }) : { $slots }, { $minutes } min, { $capacity } places. { $sessions ->
    [0] Aucune nouvelle séance planifiée.
    [one] { $sessions } séance planifiée.
   *[other] { $sessions } séances planifiées.
}
course-exists = Le cours { $id } existe déjà : voyez /cours, ou choisissez un autre nom.
course-add-missing = { $field ->
    [name] Il manque le nom du cours (entre guillemets s'il a plusieurs mots).
    [slot] Il manque un créneau : un jour et une heure, comme mar 18:30.
    [duration] Il manque la durée, comme 60min.
   *[capacity] Il manque le nombre de places, comme 12places.
}
course-add-word = Je ne comprends pas « { $got } » : après le nom viennent les créneaux (mar 18:30), la durée (60min), les places (12places) et, si besoin, lieu:"…".
admin-help-course-cancel = annuler une date (les inscrits sont prévenus, crédits rendus)
admin-help-course-capacity = changer le nombre de places (séances à venir comprises)
course-capacity-set = ✅ { $course } : { $capacity } places ({ $sessions ->
    [one] { $sessions } séance à venir mise à jour
   *[other] { $sessions } séances à venir mises à jour
}).
course-date-cancelled = ✅ { $course } du { $date } annulé : { $bookings ->
    [0] aucune réservation
    [one] { $bookings } réservation annulée
   *[other] { $bookings } réservations annulées
}, crédits rendus, { $told ->
    [0] personne à prévenir
    [one] { $told } personne prévenue
   *[other] { $told } personnes prévenues
}.
course-no-session = Pas de séance de { $course } le { $date }.
session-cancelled-visitor = Désolé, la séance de { $course } du { $when } est annulée. Votre réservation est annulée et votre crédit rendu. Voulez-vous choisir une autre date ?
admin-help-booking = le détail d'une réservation, ou l'annuler (tout est rendu, la personne est prévenue)
booking-unknown = Aucune réservation en cours avec la référence { $reference }.
booking-details = Réservation { $reference } : { $name } — { $course } le { $when }, { $offer }, { $price }
booking-cancelled-by-coach = ✅ Réservation { $reference } annulée ({ $name }, { $course } le { $when }) : crédit et code promo rendus, la personne est prévenue.
booking-cancelled-by-coach-untold = ✅ Réservation { $reference } annulée ({ $name }, { $course } le { $when }) : crédit et code promo rendus. Aucun canal pour la prévenir.
booking-cancelled-by-coach-visitor = Bonjour, votre réservation pour { $course } le { $when } a été annulée par le studio. Votre crédit vous est rendu. Voulez-vous choisir une autre date ?

## Waitlist
waitlist-seat-offered = Bonne nouvelle : une place s'est libérée pour { $course } le { $when }. Elle vous est gardée jusqu'à { $until }. Vous la prenez ?
waitlist-choice-claim = Je la prends
waitlist-choice-leave = Non merci
waitlist-offer-lapsed = La place pour { $course } le { $when } n'a pas été prise à temps : elle passe à la personne suivante. Vous pouvez toujours choisir une autre date.

## Booking refusals (visitor)
booking-refused-not-open = Les réservations pour cette séance ouvrent le { $date }.
booking-refused-closed = Trop tard pour réserver cette séance : les réservations ferment { $minutes } min avant le début.
booking-refused-session-cancelled = Cette séance est annulée.
booking-refused-full = Cette séance est complète. Voulez-vous être sur la liste d'attente ? Vous serez prévenu·e dès qu'une place se libère.
booking-refused-already-booked = Vous avez déjà une place pour cette séance.
booking-refused-offer-not-for-course = Cette offre ne couvre pas ce cours.
booking-refused-offer-inactive = Cette offre n'est plus proposée.
booking-refused-no-credit = Vous n'avez pas de crédit valable pour cette offre.
booking-refused-weekly-cap = Votre abonnement permet { $cap } cours par semaine : cette semaine est déjà complète.
booking-refused-not-same-course = Une réservation ne peut être déplacée que vers une autre séance du même cours.
booking-refused-not-active = Cette réservation n'est plus active.
booking-refused-error = Un souci technique m'empêche de réserver pour l'instant. Réessayez dans un moment.
booking-booked = ✅ Réservé { $reference } : { $name } — { $course } le { $when }, { $offer }, { $price }.
booking-booked-pending = ⏳ Place gardée { $reference } : { $name } — { $course } le { $when }, { $offer }, { $price } à payer avant { $until }.
waitlist-joined = Complet : { $name } est sur la liste d'attente de { $course } le { $when }, en position { $position }.

## Visitor dialogue
lead-welcome = Bonjour ! Je suis l'assistant de { $studio }. Je peux vous présenter nos cours et réserver votre place.
lead-ask-name = Pour commencer, quel est votre prénom ?
lead-ask-email = Merci { $name } ! Quelle est votre adresse e-mail ? (pour vous envoyer vos billets)
lead-ask-phone = Et votre numéro WhatsApp ? (pour vous prévenir en cas de changement)
lead-ask-consent = Dernière question : acceptez-vous de recevoir nos nouveautés et offres (environ une fois par mois) ?
lead-consent-yes = Oui, volontiers
lead-consent-no = Non merci
lead-bad-name = Je n'ai pas compris votre prénom. Pouvez-vous l'écrire en lettres, par exemple : Marie ?
lead-bad-email = « { $got } » ne ressemble pas à une adresse e-mail. Pouvez-vous la retaper, par exemple : marie@exemple.fr ?
lead-bad-phone = « { $got } » ne ressemble pas à un numéro de téléphone. Pouvez-vous le retaper, par exemple : 06 12 34 56 78 ou +33 6 12 34 56 78 ?
lead-bad-consent = Répondez simplement oui ou non : acceptez-vous de recevoir nos nouveautés et offres ?
lead-done = C'est noté, merci { $name } !
lead-recognised = Ravi de vous revoir { $name } ! Je vous ai reconnu·e.
menu-book = Réserver un cours
menu-schedule = Planning
menu-prices = Tarifs
menu-bookings = Mes réservations
menu-coach = Parler au coach
visitor-menu = Que puis-je faire pour vous ?
visitor-welcome-back = Bonjour { $name } ! Que puis-je faire pour vous ?
visitor-help = Je peux réserver un cours, vous donner le planning et les tarifs, montrer, annuler ou déplacer vos réservations, ou prévenir le coach. Écrivez STOP pour ne plus recevoir de messages.
visitor-thanks = Avec plaisir ! Autre chose ?
visitor-not-understood = Je n'ai pas bien compris. Voici ce que je peux faire :
visitor-empty = Je n'ai rien reçu. Que puis-je faire pour vous ?
visitor-photo = Merci pour la photo ! Je ne sais pas lire les images : dites-moi en quelques mots ce que vous souhaitez.
visitor-stale-choice = Ce choix n'est plus disponible (les places ont pu changer). Reprenons :
visitor-moved = ✅ C'est déplacé. Votre billet reste valable pour la nouvelle date.
visitor-resubscribed = C'est noté, vous recevrez de nouveau nos messages. Que puis-je faire pour vous ?
booking-choose-course = Quel cours vous intéresse ?
booking-choose-date = { $course } : quelle date vous convient ?
booking-date = { $when } · { $left ->
    [one] { $left } place
   *[other] { $left } places
}
booking-date-full = { $when } · complet
booking-no-session = Aucune séance n'est ouverte à la réservation pour le moment.
booking-choose-offer = Avec quelle formule ?
booking-offer = { $name } — { $price }
booking-offer-credits = { $name } ({ $left ->
    [one] { $left } crédit restant
   *[other] { $left } crédits restants
})
booking-offer-subscription = { $name } (abonnement en cours)
booking-ask-promo = Avez-vous un code promo ?
booking-promo-yes = Oui
booking-promo-no = Non
booking-type-promo = Tapez votre code promo :
booking-type-promo-again = Tapez un autre code, ou continuez sans.
booking-promo-skip = Continuer sans code
booking-promo-later = Bien sûr ! Choisissons d'abord le cours, je vous demanderai votre code juste avant de confirmer.
booking-summary = Récapitulatif : { $course }, { $when }, { $offer } : { $price }, à régler sur place. Je confirme ?
booking-summary-promo = Récapitulatif : { $course }, { $when }, { $offer } avec le code { $code } : { $price }, à régler sur place. Je confirme ?
booking-summary-credit = Récapitulatif : { $course }, { $when }, payé avec { $offer }. Je confirme ?
booking-confirm = Confirmer
booking-abandon = Non merci
booking-abandoned = Pas de souci, rien n'est réservé. Autre chose ?
booking-done = ✅ C'est réservé : { $course }, { $when } ({ $price }). Référence { $reference }. Voici votre billet : montrez-le à l'entrée.
booking-done-credit = ✅ C'est réservé : { $course }, { $when }, payé avec un crédit. Référence { $reference }. Voici votre billet : montrez-le à l'entrée.
booking-done-pending = ⏳ Votre place pour { $course }, { $when } est gardée jusqu'à { $until } en attendant le paiement. Référence { $reference }.
waitlist-join = M'inscrire sur la liste d'attente
waitlist-visitor-joined = C'est noté : vous êtes en position { $position } sur la liste d'attente. Je vous préviens dès qu'une place se libère.
waitlist-left = C'est noté, la place passe à la personne suivante. Autre chose ?
waitlist-gone = Désolé, cette place n'est plus proposée (déjà prise, ou le délai est passé). Voulez-vous choisir une autre date ?
schedule-title = Cette semaine :
schedule-line = { $when } · { $course } · { $left ->
    [0] complet
    [one] { $left } place
   *[other] { $left } places
}
prices-title = Nos formules :
prices-single = • { $name } : { $price }
prices-pack = • { $name } : { $price } ({ $credits } cours, valable { $days } jours)
prices-subscription = • { $name } : { $price } ({ $days } jours{ $cap ->
    [0] , cours illimités
   *[other] , { $cap } cours par semaine
})
mine-title = Vos réservations :
mine-line = { $reference } · { $course } · { $when }
mine-none = Vous n'avez aucune réservation à venir.
mine-cancel = Annuler
mine-move = Déplacer
mine-which-cancel = Quelle réservation voulez-vous annuler ?
mine-which-move = Quelle réservation voulez-vous déplacer ?
cancel-explain-free = { $course }, { $when } : vous pouvez annuler sans frais jusqu'au { $until } ; votre crédit ou votre code promo vous sera rendu. J'annule ?
cancel-explain-late = { $course }, { $when } : nous sommes à moins de { $hours } h du cours. Si vous annulez, votre place sera libérée mais le crédit ne sera pas rendu. J'annule quand même ?
cancel-confirm = Oui, annuler
cancel-keep = Non, garder
cancel-kept = Très bien, votre réservation est maintenue.
cancelled-free = ✅ C'est annulé. Un crédit ou un code promo utilisé vous est rendu.
cancelled-late = ✅ C'est annulé. Comme prévu, le crédit n'est pas rendu pour une annulation tardive.
move-choose-date = { $course } : vers quelle date ?
move-no-date = Aucune autre date avec de la place pour ce cours pour le moment.
credits-line = • { $offer } : { $left ->
    [one] { $left } crédit
   *[other] { $left } crédits
} jusqu'au { $until }
credits-unlimited = • { $offer } : illimité jusqu'au { $until }
credits-none = Vous n'avez pas de crédit en cours.
stop-ask = Voulez-vous ne plus recevoir aucun message de notre part ?
stop-confirm = Oui, arrêter
stop-keep = Non, continuer
stop-done = C'est fait : vous ne recevrez plus de messages. Écrivez START pour revenir.
stop-kept = Très bien, rien ne change.
visitor-unknown-command = Commande inconnue. Écrivez simplement ce que vous souhaitez, par exemple « réserver un cours ».
visitor-handoff = J'ai prévenu le coach : il vous répondra ici dès que possible.
waitlist-seats-left = Bonne nouvelle : une place est libre pour cette séance, vous pouvez la réserver directement.
handoff-coach = 📩 { $name } ({ $reach }) voudrait vous parler.
    { $last }
    Répondez avec : /repondre { $handle } votre message
telegram-share-contact = 📱 Partager mon numéro

# ---- the web widget ----
widget-open = Discuter avec { $studio }
widget-close = Fermer la conversation
widget-unread = nouveaux messages
widget-form-intro = Avant de commencer, présentez-vous : vos billets arriveront par e-mail et WhatsApp.
widget-name = Prénom
widget-email = E-mail
widget-phone = Numéro WhatsApp
widget-consent = J'accepte de recevoir les nouveautés et offres du studio (environ une fois par mois).
widget-submit = Commencer la discussion
widget-required = Ce champ est obligatoire.
widget-bad-email = Cette adresse e-mail ne semble pas valide, par exemple : marie@exemple.fr
widget-bad-phone = Ce numéro ne semble pas valide, par exemple : 06 12 34 56 78
widget-not-me = Ce n'est pas moi
widget-placeholder = Écrivez votre message…
widget-send = Envoyer
widget-save = Enregistrer le billet
widget-typing = L'assistant écrit…
widget-offline = Connexion perdue, nouvelle tentative…
widget-conversation = Conversation
widget-too-long = Votre message est trop long : { $max } caractères au plus.

# ---- the AI agent ----
agent-fallback = Désolé, je n'arrive pas à vous répondre en détail pour le moment. Voici ce que je peux faire :
agent-ticket = Votre billet (réservation { $reference }) : montrez-le à l'entrée.
agent-confirm = Je vais lancer : { $command }{ $preview }
    Confirmer ? oui / non
promo-preview = { $count } codes : { $summary }
agent-cancelled = D'accord, je ne lance rien.
