"""Texts of the citizen, mediator and public pages."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "citizen_space": {"fr": "Mon espace", "en": "My space"},
    "mediator_desk": {"fr": "Guichet", "en": "Desk"},
    "coming_soon": {"fr": "Cette page arrive bientôt.", "en": "This page is coming soon."},
    "nav_my_data": {"fr": "Mes données", "en": "My data"},
    "nav_open_data": {"fr": "Résultats et données ouvertes", "en": "Results and open data"},
    # --- the public map ---
    "map_intro": {"fr": "Les expérimentations en cours sur le territoire : où, quoi, jusqu'à "
                        "quand, et comment y participer.",
                  "en": "Pilots running on the territory: where, what, until when, and how "
                        "to take part."},
    "filter_commune": {"fr": "Commune ou collectivité", "en": "Town or authority"},
    "filter_domain": {"fr": "Domaine", "en": "Domain"},
    "filter_all": {"fr": "Toutes", "en": "All"},
    "near_me": {"fr": "Près de chez moi (nom d'un quartier ou d'une commune)",
                "en": "Near me (name of a district or town)"},
    "no_match": {"fr": "Aucune expérimentation en cours ne correspond à ces critères. "
                       "Essayez un autre nom de lieu ou retirez un filtre.",
                 "en": "No running pilot matches. Try another place name or remove a "
                       "filter."},
    "empty_next": {"fr": "Aucune expérimentation n'est en cours pour l'instant. Les prochaines "
                         "apparaîtront ici dès que les collectivités les auront approuvées ; "
                         "les résultats des expérimentations terminées sont dans « Résultats "
                         "et données ouvertes ».",
                   "en": "No pilot is running right now. The next ones will appear here as "
                         "soon as the authorities approve them; the results of finished pilots "
                         "are under “Results and open data”."},
    "legend_places": {"fr": "Lieux pour participer en personne",
                      "en": "Places to take part in person"},
    "legend_districts": {"fr": "Quartiers de la commune", "en": "Districts"},
    "public_map_alt": {"fr": "Carte des quartiers, avec les zones des expérimentations en "
                             "couleur et les lieux pour participer en personne",
                       "en": "Map of the districts, with the pilots' zones in colour and the "
                             "places to take part in person"},
    "until": {"fr": "Jusqu'au {date}", "en": "Until {date}"},
    "open_pilot": {"fr": "Voir « {title} »", "en": "Open “{title}”"},
    "back_to_map": {"fr": "Retour à la carte", "en": "Back to the map"},
    "pilot_not_found": {"fr": "Cette expérimentation n'est pas (ou plus) en cours.",
                        "en": "This pilot is not (or no longer) running."},
    # --- the pilot page ---
    "what": {"fr": "Ce qui est testé", "en": "What is tested"},
    "where": {"fr": "Où", "en": "Where"},
    "when": {"fr": "Quand", "en": "When"},
    "from_to": {"fr": "Du {start} au {end}", "en": "From {start} to {end}"},
    "who_runs": {"fr": "Qui le mène", "en": "Who runs it"},
    "approved_by": {"fr": "Approuvé par", "en": "Approved by"},
    "data_used": {"fr": "Données utilisées", "en": "Data used"},
    "data_scope": {"fr": "{name} ({authority}) : colonnes {columns} ; zones {zones} ; du "
                         "{start} au {end}",
                   "en": "{name} ({authority}): columns {columns}; zones {zones}; from "
                         "{start} to {end}"},
    "no_data_used": {"fr": "Aucun jeu de données de la collectivité.",
                     "en": "No dataset of the authority."},
    "how_take_part": {"fr": "Comment participer", "en": "How to take part"},
    "in_person": {"fr": "En personne", "en": "In person"},
    "consent_text": {"fr": "Texte de consentement (version {version})",
                     "en": "Consent text (version {version})"},
    "take_part": {"fr": "Participer", "en": "Take part"},
    "take_part_hint": {"fr": "Créez un compte ou connectez-vous : vous lirez ensuite le texte "
                             "de consentement avant de rejoindre l'expérimentation.",
                       "en": "Create an account or sign in: you will then read the consent "
                             "text before joining the pilot."},
    "quick_feedback": {"fr": "Donner un avis rapide sans compte", "en": "Quick feedback "
                                                                        "without an account"},
    "opening_hours": {"fr": "Horaires : {hours}", "en": "Opening hours: {hours}"},
    "phone": {"fr": "Téléphone : {phone}", "en": "Phone: {phone}"},
    # --- public results ---
    "results": {"fr": "Résultats", "en": "Results"},
    "results_intro": {"fr": "Résultats des expérimentations évaluées, avec leur incertitude.",
                      "en": "Results of evaluated pilots, with their uncertainty."},
    "no_results": {"fr": "Aucun résultat publié pour l'instant : ils apparaissent ici quand "
                         "une expérimentation terminée a été évaluée.",
                   "en": "No published results yet: they appear here once a finished pilot "
                         "has been evaluated."},
    "effect_words": {"fr": "Effet estimé sur « {label} » : {effect} (intervalle de confiance à "
                           "95 % : de {low} à {high}).",
                     "en": "Estimated effect on “{label}”: {effect} (95% confidence interval: "
                           "{low} to {high})."},
    "no_effect_estimate": {"fr": "Pas d'estimation de l'effet : {reason}",
                           "en": "No estimate of the effect: {reason}"},
    "recommendation": {"fr": "Recommandation", "en": "Recommendation"},
    "feedback_summary": {"fr": "Avis des participant·es", "en": "What testers said"},
    "respondents": {"fr": "Personnes ayant répondu", "en": "People who answered"},
    "nps_label": {"fr": "Recommandation (NPS)", "en": "Would recommend (NPS)"},
    "sus_label": {"fr": "Facilité d'usage (SUS, sur 100)", "en": "Ease of use (SUS, out of "
                                                                 "100)"},
    "suppressed": {"fr": "non affiché : moins de 8 personnes",
                   "en": "not shown: fewer than 8 people"},
    "results_csv": {"fr": "Télécharger les résultats (CSV)", "en": "Download the results (CSV)"},
    "evaluated_on": {"fr": "Évalué le {date} · {organization} · {domain}",
                     "en": "Evaluated on {date} · {organization} · {domain}"},
    # --- reports ---
    "report_problem": {"fr": "Signaler un problème", "en": "Report a problem"},
    "report_intro": {"fr": "Un équipement de l'expérimentation est cassé, gênant ou dangereux ? "
                           "Dites-le à la collectivité qui en a la charge.",
                     "en": "Is a piece of the pilot's equipment broken, annoying or dangerous? "
                           "Tell the authority in charge."},
    "report_asset": {"fr": "Équipement concerné", "en": "Equipment concerned"},
    "report_kind": {"fr": "Type de problème", "en": "Kind of problem"},
    "report_description": {"fr": "Description (sans données personnelles)",
                           "en": "Description (no personal data)"},
    "report_photo": {"fr": "Photo (facultative, JPEG ou PNG)", "en": "Photo (optional, JPEG or "
                                                                       "PNG)"},
    "report_send": {"fr": "Envoyer le signalement", "en": "Send the report"},
    "report_no_assets": {"fr": "Cette expérimentation n'a pas d'équipement à signaler.",
                         "en": "This pilot has no equipment to report on."},
    "report_receipt": {"fr": "Signalement reçu par {authority}. Gardez ce code pour le suivre : "
                             "**{receipt}**",
                       "en": "Report received by {authority}. Keep this code to follow it: "
                             "**{receipt}**"},
    "follow_report": {"fr": "Suivre mon signalement", "en": "Follow my report"},
    "receipt_code": {"fr": "Code de suivi", "en": "Receipt code"},
    "follow": {"fr": "Suivre", "en": "Follow"},
    "report_state": {"fr": "« {asset} » ({pilot}) : {status}, traité par {authority}.",
                     "en": "“{asset}” ({pilot}): {status}, handled by {authority}."},
    "report_note": {"fr": "Note : {note}", "en": "Note: {note}"},
    "kind_broken": {"fr": "Cassé", "en": "Broken"},
    "kind_not_working": {"fr": "Ne fonctionne pas", "en": "Not working"},
    "kind_too_dim": {"fr": "Pas assez lumineux", "en": "Too dim"},
    "kind_too_bright": {"fr": "Trop lumineux", "en": "Too bright"},
    "kind_dangerous": {"fr": "Dangereux", "en": "Dangerous"},
    "kind_dirty": {"fr": "Sale", "en": "Dirty"},
    "kind_noise": {"fr": "Bruit", "en": "Noise"},
    "kind_other": {"fr": "Autre", "en": "Other"},
    "report_received": {"fr": "reçu", "en": "received"},
    "report_in_progress": {"fr": "en cours de traitement", "en": "being handled"},
    "report_solved": {"fr": "résolu", "en": "solved"},
    # --- sign-up ---
    "sign_up": {"fr": "Créer un compte de testeur·se", "en": "Create a tester account"},
    "sign_up_intro": {"fr": "Un e-mail et un mot de passe suffisent ; le reste est facultatif.",
                      "en": "An email and a password are enough; the rest is optional."},
    "name_optional": {"fr": "Prénom ou pseudonyme (facultatif)",
                      "en": "First name or nickname (optional)"},
    "password_new": {"fr": "Mot de passe (au moins 10 caractères)",
                     "en": "Password (at least 10 characters)"},
    "age_band": {"fr": "Tranche d'âge (facultatif)", "en": "Age band (optional)"},
    "digital_comfort": {"fr": "Aisance avec le numérique (facultatif)",
                        "en": "Comfort with digital tools (optional)"},
    "not_said": {"fr": "Je préfère ne pas le dire", "en": "I'd rather not say"},
    "comfort_at_ease": {"fr": "à l'aise", "en": "at ease"},
    "comfort_somewhat": {"fr": "un peu", "en": "somewhat"},
    "comfort_not_at_ease": {"fr": "pas à l'aise", "en": "not at ease"},
    "age_under_18": {"fr": "moins de 18 ans", "en": "under 18"},
    "age_18_29": {"fr": "18 à 29 ans", "en": "18 to 29"},
    "age_30_44": {"fr": "30 à 44 ans", "en": "30 to 44"},
    "age_45_59": {"fr": "45 à 59 ans", "en": "45 to 59"},
    "age_60_74": {"fr": "60 à 74 ans", "en": "60 to 74"},
    "age_75_plus": {"fr": "75 ans et plus", "en": "75 and over"},
    "already_signed_in": {"fr": "Vous êtes déjà connecté·e.", "en": "You are already signed "
                                                                    "in."},
    # --- citizen space ---
    "my_pilots": {"fr": "Mes expérimentations", "en": "My pilots"},
    "no_my_pilots": {"fr": "Vous ne participez à aucune expérimentation. Choisissez-en une sur "
                           "la carte des expérimentations en cours.",
                     "en": "You take part in no pilot. Pick one on the map of running pilots."},
    "join_pilot": {"fr": "Rejoindre « {title} »", "en": "Join “{title}”"},
    "consent_read": {"fr": "J'ai lu ce texte et j'accepte de participer",
                     "en": "I have read this text and agree to take part"},
    "join": {"fr": "Rejoindre", "en": "Join"},
    "joined": {"fr": "Vous participez à « {title} ».", "en": "You take part in “{title}”."},
    "no_consent_yet": {"fr": "Les inscriptions ouvriront quand le texte de consentement sera "
                             "publié.",
                       "en": "Enrollment opens once the consent text is published."},
    "withdraw": {"fr": "Retirer mon consentement", "en": "Withdraw my consent"},
    "withdrawn": {"fr": "Consentement retiré.", "en": "Consent withdrawn."},
    "withdraw_confirm": {"fr": "Je ne veux plus participer : mes réponses déjà données restent "
                               "comptées, sans mon nom (« Mes données » permet de les effacer).",
                         "en": "I no longer want to take part: the answers I already gave still "
                               "count, without my name (\"My data\" lets me erase them)."},
    "withdraw_tick": {"fr": "Cochez la case pour confirmer le retrait.",
                      "en": "Tick the box to confirm you withdraw."},
    "give_feedback": {"fr": "Donner mon avis", "en": "Give my feedback"},
    "feedback_sent": {"fr": "Merci ! Votre avis est enregistré (reçu n° {receipt}).",
                      "en": "Thank you! Your feedback is recorded (receipt {receipt})."},
    "send_answers": {"fr": "Envoyer mes réponses", "en": "Send my answers"},
    "question_of": {"fr": "Question {n} sur {total}", "en": "Question {n} of {total}"},
    "sus_title": {"fr": "Facilité d'usage (10 questions, facultatif : toutes ou aucune)",
                  "en": "Ease of use (10 questions, optional: all or none)"},
    "sus_answer": {"fr": "Je réponds aux 10 questions de facilité d'usage",
                   "en": "I answer the 10 ease-of-use questions"},
    "free_optional": {"fr": "{question} (facultatif)", "en": "{question} (optional)"},
    "zone_optional": {"fr": "Quartier concerné (facultatif)", "en": "District concerned "
                                                                    "(optional)"},
    "photo_optional": {"fr": "Photo (facultative, JPEG ou PNG)", "en": "Photo (optional, JPEG "
                                                                       "or PNG)"},
    "answer_missing": {"fr": "Répondez à chaque question obligatoire : {question}",
                       "en": "Answer every required question: {question}"},
    "pilot_state": {"fr": "Statut : {status} · consentement version {version}",
                    "en": "Status: {status} · consent version {version}"},
    "city_summary": {"fr": "Ce qu'en dit la collectivité", "en": "What the authority says"},
    # --- my data ---
    "my_data_intro": {"fr": "Ce que la plateforme garde sur vous, à télécharger, et "
                            "l'effacement de votre compte.",
                      "en": "What the platform holds about you, to download, and erasing your "
                            "account."},
    "held_profile": {"fr": "Profil : pseudonyme {pseudonym}, prénom {name}, âge {age}, aisance "
                           "numérique {comfort}",
                     "en": "Profile: pseudonym {pseudonym}, name {name}, age {age}, digital "
                           "comfort {comfort}"},
    "held_counts": {"fr": "{enrollments} participation(s), {answers} réponse(s)",
                    "en": "{enrollments} enrollment(s), {answers} answer(s)"},
    "download_json": {"fr": "Télécharger mes données (JSON)", "en": "Download my data (JSON)"},
    "erase": {"fr": "Effacer mes données et mon compte", "en": "Erase my data and account"},
    "erase_warning": {"fr": "L'effacement supprime vos réponses, photos, participations et "
                            "votre compte. Il est définitif.",
                      "en": "Erasure deletes your answers, photos, enrollments and account. "
                            "It cannot be undone."},
    "erase_confirm": {"fr": "Je comprends que c'est définitif", "en": "I understand this "
                                                                       "cannot be undone"},
    "erased": {"fr": "Données effacées : {count} élément(s).", "en": "Data erased: {count} "
                                                                    "item(s)."},
    # --- mediator desk ---
    "desk_intro": {"fr": "Enregistrer les avis de personnes sans compte, au téléphone, au "
                         "guichet, sur papier ou en personne.",
                   "en": "Record the feedback of people without an account, by phone, at the "
                         "counter, on paper or in person."},
    "find_person": {"fr": "Retrouver une personne", "en": "Find a person"},
    "paper_code": {"fr": "Code papier de la personne", "en": "The person's paper code"},
    "find": {"fr": "Retrouver", "en": "Find"},
    "register_person": {"fr": "Inscrire une nouvelle personne", "en": "Register a new person"},
    "register": {"fr": "Inscrire", "en": "Register"},
    "new_code": {"fr": "Code à noter sur papier et à remettre à la personne (il ne sera plus "
                       "affiché) : **{code}**",
                 "en": "Code to write on paper and hand to the person (it will not be shown "
                       "again): **{code}**"},
    "current_person": {"fr": "Personne : {pseudonym}", "en": "Person: {pseudonym}"},
    "anonymous": {"fr": "Avis anonyme (sans code)", "en": "Anonymous feedback (no code)"},
    "one_at_a_time": {"fr": "Une question à la fois", "en": "One question at a time"},
    "step_of": {"fr": "Étape {n} sur {total}", "en": "Step {n} of {total}"},
    "collected_on": {"fr": "Jour où la personne a répondu", "en": "Day the person answered"},
    "collected_on_help": {"fr": "Pour un formulaire papier saisi plus tard : le jour où il a été "
                                "rempli (90 jours au plus).",
                          "en": "For a paper form entered later: the day it was filled in (90 "
                                "days at most)."},
    "pilot": {"fr": "Expérimentation", "en": "Pilot"},
    "read_consent": {"fr": "Lisez ce texte à la personne avant de l'inscrire :",
                     "en": "Read this text to the person before enrolling them:"},
    "consent_given": {"fr": "La personne a entendu le texte et accepte",
                      "en": "The person heard the text and agrees"},
    "enroll_person": {"fr": "Inscrire à l'expérimentation", "en": "Enroll in the pilot"},
    "enrolled_person": {"fr": "Inscription enregistrée.", "en": "Enrollment recorded."},
    "channel": {"fr": "Canal", "en": "Channel"},
    "channel_phone": {"fr": "Téléphone", "en": "Phone"},
    "channel_counter": {"fr": "Guichet", "en": "Counter"},
    "channel_paper": {"fr": "Papier", "en": "Paper"},
    "channel_mediator": {"fr": "En personne", "en": "In person"},
    "channel_web": {"fr": "En ligne", "en": "Online"},
    "place": {"fr": "Lieu de recueil", "en": "Place of collection"},
    "no_place": {"fr": "Aucun lieu", "en": "No place"},
    "record_answers": {"fr": "Enregistrer les réponses", "en": "Record the answers"},
    "recorded": {"fr": "Réponses enregistrées (reçu n° {receipt}).",
                 "en": "Answers recorded (receipt {receipt})."},
    "next_person": {"fr": "Personne suivante", "en": "Next person"},
    "person_rights": {"fr": "Droits de la personne", "en": "The person's rights"},
    "export_person": {"fr": "Préparer l'export de ses données", "en": "Prepare the export of "
                                                                     "their data"},
    "download_person": {"fr": "Télécharger l'export (JSON)", "en": "Download the export "
                                                                   "(JSON)"},
    "erase_person": {"fr": "Effacer ses données", "en": "Erase their data"},
    "no_running_pilots": {"fr": "Aucune expérimentation en cours.", "en": "No running pilot."},
    # --- open data and directory ---
    "open_data": {"fr": "Données ouvertes", "en": "Open data"},
    "open_data_intro": {"fr": "Les jeux de données que les collectivités ont choisi d'ouvrir.",
                        "en": "The datasets the authorities chose to open."},
    "no_open_data": {"fr": "Aucun jeu de données ouvert pour l'instant.",
                     "en": "No open dataset yet."},
    "publisher_licence": {"fr": "{publisher} · licence {licence} · version {version}",
                          "en": "{publisher} · licence {licence} · version {version}"},
    "directory": {"fr": "Annuaire des participants", "en": "Directory of participants"},
    "directory_intro": {"fr": "Les organisations qui testent des prototypes, par domaine.",
                        "en": "Organizations testing prototypes, by domain."},
    "no_directory": {"fr": "Aucune organisation dans ce domaine.",
                     "en": "No organization in this domain."},
    "website": {"fr": "Site web", "en": "Website"},
    "contact": {"fr": "Contact : {email}", "en": "Contact: {email}"},
}
