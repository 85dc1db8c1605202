"""Texts every page shares: the frame, statuses, quality flags and API problems."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # --- the frame ---
    "title": {"fr": "Terrain — laboratoire vivant du territoire",
              "en": "Terrain — the territory's living lab"},
    "tagline": {"fr": "Des prototypes testés sur le terrain, mesurés honnêtement.",
                "en": "Prototypes piloted in the field, measured honestly."},
    "language": {"fr": "Langue", "en": "Language"},
    "sign_in": {"fr": "Se connecter", "en": "Sign in"},
    "sign_out": {"fr": "Se déconnecter", "en": "Sign out"},
    "signed_out": {"fr": "Vous êtes déconnecté·e.", "en": "You are signed out."},
    "email": {"fr": "Adresse e-mail", "en": "Email address"},
    "password": {"fr": "Mot de passe", "en": "Password"},
    "signed_in_as": {"fr": "Connecté·e : {email} ({role})", "en": "Signed in: {email} ({role})"},
    "sign_in_intro": {"fr": "Connectez-vous avec le compte que votre collectivité ou la "
                            "plateforme vous a donné.",
                      "en": "Sign in with the account your authority or the platform gave "
                            "you."},
    "session_ended": {"fr": "Votre session a pris fin ; connectez-vous à nouveau.",
                      "en": "Your session has ended; please sign in again."},
    "not_for_role": {"fr": "Cette page n'est pas accessible avec votre rôle.",
                     "en": "This page is not available for your role."},
    "page": {"fr": "Page", "en": "Page"},
    "page_of": {"fr": "Page {page} sur {pages} · {total} éléments",
                "en": "Page {page} of {pages} · {total} items"},
    "previous": {"fr": "Précédent", "en": "Previous"},
    "next": {"fr": "Suivant", "en": "Next"},
    "save": {"fr": "Enregistrer", "en": "Save"},
    "saved": {"fr": "Enregistré.", "en": "Saved."},
    "cancel": {"fr": "Annuler", "en": "Cancel"},
    "confirm": {"fr": "Confirmer", "en": "Confirm"},
    "none": {"fr": "Aucun", "en": "None"},
    "choose": {"fr": "Choisir…", "en": "Choose…"},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
    # --- roles ---
    "role_admin": {"fr": "administration", "en": "administrator"},
    "role_city": {"fr": "collectivité", "en": "city team"},
    "role_startup": {"fr": "startup", "en": "startup"},
    "role_citizen": {"fr": "citoyen·ne", "en": "citizen"},
    "role_mediator": {"fr": "médiation", "en": "mediator"},
    # --- page names ---
    "nav_home": {"fr": "Accueil", "en": "Home"},
    "nav_sign_in": {"fr": "Se connecter", "en": "Sign in"},
    "nav_public_pilots": {"fr": "Expérimentations en cours", "en": "Running pilots"},
    "nav_prototypes": {"fr": "Prototypes", "en": "Prototypes"},
    "nav_new_pilot": {"fr": "Nouveau pilote", "en": "New pilot"},
    "nav_pilots": {"fr": "Pilotes", "en": "Pilots"},
    "nav_data_access": {"fr": "Accès aux données", "en": "Data access"},
    "nav_measurements": {"fr": "Mesures", "en": "Measurements"},
    "nav_evaluation": {"fr": "Évaluation", "en": "Evaluation"},
    "nav_review": {"fr": "À décider", "en": "Review queue"},
    "nav_portfolio": {"fr": "Portefeuille", "en": "Portfolio"},
    "nav_catalog": {"fr": "Catalogue", "en": "Catalog"},
    "nav_access_log": {"fr": "Journal des accès", "en": "Access log"},
    "nav_consent": {"fr": "Consentement et médiation", "en": "Consent and mediators"},
    "nav_users": {"fr": "Utilisateurs", "en": "Users"},
    "nav_directory": {"fr": "Collectivités et organisations",
                      "en": "Authorities and organizations"},
    "section_workspace": {"fr": "Espace de travail", "en": "Workspace"},
    "section_admin": {"fr": "Administration", "en": "Administration"},
    "section_public": {"fr": "Public", "en": "Public"},
    # --- home ---
    "status": {"fr": "État de la plateforme", "en": "Platform status"},
    "api": {"fr": "API", "en": "API"},
    "database": {"fr": "Base de données", "en": "Database"},
    "object_store": {"fr": "Stockage d'objets", "en": "Object store"},
    "ok": {"fr": "opérationnel", "en": "operational"},
    "down": {"fr": "indisponible", "en": "unavailable"},
    "unreachable": {"fr": "L'API ne répond pas à {url}.",
                    "en": "The API does not answer at {url}."},
    "all_ok": {"fr": "Tout fonctionne.", "en": "Everything is working."},
    "degraded": {"fr": "Service dégradé.", "en": "Service degraded."},
    # --- public pilots (kept from the first pages) ---
    "running_pilots": {"fr": "Expérimentations en cours près de chez vous",
                       "en": "Pilots running near you"},
    "no_running": {"fr": "Aucune expérimentation en cours pour le moment.",
                   "en": "No pilot is running at the moment."},
    "period": {"fr": "Du {start} au {end}", "en": "From {start} to {end}"},
    # --- maps and charts ---
    "legend": {"fr": "Légende", "en": "Legend"},
    "zone_treated": {"fr": "Zone testée", "en": "Treated zone"},
    "zone_control": {"fr": "Zone témoin", "en": "Control zone"},
    "zone_other": {"fr": "Autre zone", "en": "Other zone"},
    "asset": {"fr": "Équipement", "en": "Asset"},
    "chart_time": {"fr": "Date", "en": "Date"},
    "chart_group": {"fr": "Groupe", "en": "Group"},
    "chart_kpi": {"fr": "Indicateur", "en": "Indicator"},
    "chart_pilot_start": {"fr": "Début du pilote", "en": "Pilot start"},
    "nothing_on_map": {"fr": "Rien à afficher sur la carte.", "en": "Nothing to show on the map."},
    # --- API problems, by the last part of their `type` ---
    "problem_bad-request": {"fr": "La demande est incorrecte : {detail}",
                            "en": "The request is not valid: {detail}"},
    "problem_unauthorized": {"fr": "Identifiants incorrects ou session expirée.",
                             "en": "Wrong credentials or expired session."},
    "problem_forbidden": {"fr": "Vous n'avez pas le droit de faire cela.",
                          "en": "You are not allowed to do this."},
    "problem_not-found": {"fr": "Introuvable (ou vous n'y avez pas accès).",
                          "en": "Not found (or you have no access to it)."},
    "problem_conflict": {"fr": "Impossible dans l'état actuel : {detail}",
                         "en": "Not possible in the current state: {detail}"},
    "problem_unprocessable-content": {"fr": "Certaines valeurs sont à corriger.",
                                      "en": "Some values need fixing."},
    "problem_unprocessable-entity": {"fr": "Certaines valeurs sont à corriger.",
                                     "en": "Some values need fixing."},
    "problem_content-too-large": {"fr": "Le fichier est trop volumineux.",
                                  "en": "The file is too large."},
    "problem_request-entity-too-large": {"fr": "Le fichier est trop volumineux.",
                                         "en": "The file is too large."},
    "problem_too-many-requests": {"fr": "Trop d'essais ; réessayez dans quelques minutes.",
                                  "en": "Too many attempts; try again in a few minutes."},
    "problem_internal-server-error": {"fr": "Erreur de la plateforme ; elle a été signalée.",
                                      "en": "Platform error; it has been reported."},
    "problem_service-unavailable": {"fr": "Service momentanément indisponible.",
                                    "en": "Service temporarily unavailable."},
    # The API's own problem types (GET /api/v1/problem-types), beside the HTTP phrases above.
    "problem_invalid-input": {"fr": "Certaines valeurs sont à corriger.",
                              "en": "Some values need fixing."},
    "problem_not-authenticated": {"fr": "Session expirée : reconnectez-vous.",
                                  "en": "Session expired: please sign in again."},
    "problem_invalid-credentials": {"fr": "Adresse ou mot de passe incorrect.",
                                    "en": "Wrong email or password."},
    "problem_permission-denied": {"fr": "Vous n'avez pas le droit de faire cela.",
                                  "en": "You are not allowed to do this."},
    "problem_method-not-allowed": {"fr": "Cette action n'existe pas ici.",
                                   "en": "This action does not exist here."},
    "problem_measurement-overlap": {
        "fr": "Ce fichier recouvre un fichier déjà déposé pour le même indicateur (mêmes "
              "zones et heures) : remplacez ce fichier ou retirez-le d'abord. {detail}",
        "en": "This file overlaps a file already uploaded for the same indicator (same "
              "zones and hours): replace that file or withdraw it first. {detail}"},
    "problem_grant-not-usable": {"fr": "Accès aux données pas encore disponible : {detail}",
                                 "en": "Data access not available yet: {detail}"},
    "problem_grant-ended": {"fr": "Cet accès aux données a expiré ou a été révoqué.",
                            "en": "This data access expired or was revoked."},
    "problem_upload-too-large": {"fr": "Le fichier est trop volumineux.",
                                 "en": "The file is too large."},
    "problem_internal-error": {"fr": "Erreur de la plateforme ; elle a été signalée.",
                               "en": "Platform error; it has been reported."},
    "problem_http-error": {"fr": "La demande a échoué : {detail}",
                           "en": "The request failed: {detail}"},
    "problem_unreachable": {"fr": "L'API ne répond pas.", "en": "The API does not answer."},
    "problem_fallback": {"fr": "La plateforme a refusé : {detail}",
                         "en": "The platform refused: {detail}"},
    "problem_field": {"fr": "{field} : {message}", "en": "{field}: {message}"},
}

# Statuses of pilots, decisions, grants, extracts, jobs, dataset versions and evaluations.
STATUSES: dict[str, dict[str, str]] = {
    "draft": {"fr": "brouillon", "en": "draft"},
    "submitted": {"fr": "soumis", "en": "submitted"},
    "changes_requested": {"fr": "modifications demandées", "en": "changes requested"},
    "approved": {"fr": "approuvé", "en": "approved"},
    "rejected": {"fr": "refusé", "en": "rejected"},
    "refused": {"fr": "refusé", "en": "refused"},
    "running": {"fr": "en cours", "en": "running"},
    "suspended": {"fr": "suspendu", "en": "suspended"},
    "completed": {"fr": "terminé", "en": "completed"},
    "evaluated": {"fr": "évalué", "en": "evaluated"},
    "pending": {"fr": "en attente", "en": "pending"},
    "active": {"fr": "actif", "en": "active"},
    "expired": {"fr": "expiré", "en": "expired"},
    "revoked": {"fr": "révoqué", "en": "revoked"},
    "building": {"fr": "en préparation", "en": "being built"},
    "ready": {"fr": "prêt", "en": "ready"},
    "failed": {"fr": "échec", "en": "failed"},
    "queued": {"fr": "en file d'attente", "en": "queued"},
    "done": {"fr": "terminé", "en": "done"},
    "processing": {"fr": "en traitement", "en": "processing"},
    "withdrawn": {"fr": "retiré", "en": "withdrawn"},
    "replaced": {"fr": "remplacé", "en": "replaced"},
    "valid": {"fr": "valide", "en": "valid"},
    "invalid": {"fr": "invalide", "en": "invalid"},
}

# The analysis catalogue's codes (experiments/messages.py) in plain words.
FLAGS: dict[str, dict[str, str]] = {
    "no_data": {"fr": "Aucune donnée ne reste après filtrage : rien ne peut être estimé.",
                "en": "No data remains after filtering: nothing can be estimated."},
    "no_control": {"fr": "Aucune zone témoin n'a de données : la comparaison est impossible.",
                   "en": "No control zone has data: the comparison is impossible."},
    "no_treated": {"fr": "Aucune zone testée n'a de données : l'effet ne peut être calculé.",
                   "en": "No treated zone has data: the effect cannot be computed."},
    "no_baseline": {"fr": "Aucune mesure pendant la période de référence.",
                    "en": "No measurement during the baseline period."},
    "no_pilot_period": {"fr": "Aucune mesure pendant la période du pilote.",
                        "en": "No measurement during the pilot period."},
    "zero_variance": {"fr": "La mesure ne varie pas : ni intervalle ni test possibles.",
                      "en": "The measure does not vary: no interval or test is possible."},
    "too_few_observations": {"fr": "Trop peu de mesures pour estimer la variabilité.",
                             "en": "Too few measurements to estimate the variability."},
    "zero_baseline_mean": {"fr": "La moyenne de référence est nulle : l'effet relatif "
                                 "n'a pas de sens.",
                           "en": "The baseline average is zero: a relative effect is "
                                 "meaningless."},
    "one_unit": {"fr": "Une seule zone a des données : impossible de comparer des zones.",
                 "en": "Only one zone has data: zones cannot be compared."},
    "not_identified": {"fr": "Le plan ne permet pas de séparer l'effet du pilote des autres "
                             "variations.",
                       "en": "The design cannot separate the pilot's effect from other "
                             "variations."},
    "no_baseline_data": {
        "fr": "L'indicateur principal n'a pas encore de données sur la période de référence "
              "(pas de version de jeu de données prête, ni de fichier de mesures qui la couvre) : "
              "l'effet détectable sera calculé dès qu'il y en aura.",
        "en": "The primary indicator has no data in the baseline period yet (no ready dataset "
              "version, nor a measurement file covering it): the detectable effect is computed "
              "as soon as there is some."},
    "baseline_unreadable": {
        "fr": "Les données de référence n'ont pas pu être lues ; réessayez plus tard.",
        "en": "The baseline data could not be read; try again later."},
    "synthetic_ci_not_interval": {
        "fr": "Les effets compatibles avec les données ne forment pas un seul intervalle : "
              "l'intervalle affiché les couvre tous et contient donc zéro, bien que le test "
              "écarte un effet nul.",
        "en": "The effects compatible with the data do not form one interval: the interval "
              "shown covers them all and so contains zero, although the test rules out no "
              "effect."},
    "synthetic_few_controls": {
        "fr": "Trop peu de zones témoins pour que le test par placebo conclue : le résultat ne "
              "peut pas être significatif. Au seuil de 5 %, il faut au moins 19 zones témoins "
              "pour une zone testée, 7 pour deux.",
        "en": "Too few control zones for the placebo test to conclude: the result can never "
              "be significant. At the 5% level, one pilot zone needs at least 19 control "
              "zones, two pilot zones at least 7."},
    "synthetic_no_constant_effect": {
        "fr": "L'écart a trop varié d'une période à l'autre pendant le pilote : pas "
              "d'intervalle pour un effet moyen ; lisez les effets par période.",
        "en": "The gap moved too much from period to period during the pilot: no interval for "
              "an average effect; read the effects by period."},
    "synthetic_outside_hull": {
        "fr": "Avant le pilote, la zone testée était le plus souvent au-dessus (ou au-dessous) "
              "de toutes les zones témoins : aucune combinaison ne la reproduit bien, l'effet "
              "peut être biaisé. Choisissez des zones témoins de niveau comparable, ou une "
              "différence de différences.",
        "en": "Before the pilot, the pilot zone was mostly above (or below) every control "
              "zone: no combination reproduces it well, and the effect may be biased. Choose "
              "control zones of a comparable level, or a difference-in-differences."},
    "synthetic_poor_fit": {
        "fr": "Le contrôle synthétique suivait mal la zone testée avant le pilote (erreur plus "
              "de deux fois celle des zones témoins) : l'effet est indicatif.",
        "en": "The synthetic control tracked the pilot zone poorly before the pilot (an error "
              "more than twice the control zones'): read the effect as indicative."},
    "synthetic_too_few_baseline": {
        "fr": "Moins de trois périodes de référence : impossible d'ajuster le contrôle "
              "synthétique.",
        "en": "Fewer than three baseline periods: the synthetic control cannot be fitted."},
    "synthetic_too_few_controls": {
        "fr": "Un contrôle synthétique demande au moins deux zones témoins avec des données "
              "presque à chaque période (trois avec deux zones testées).",
        "en": "A synthetic control needs at least two control zones with data in nearly every "
              "period (three with two pilot zones)."},
    "synthetic_too_many_treated": {
        "fr": "Le contrôle synthétique vaut pour une ou deux zones testées ; au-delà, prenez la "
              "différence de différences.",
        "en": "A synthetic control is for one or two pilot zones; with more, use the "
              "difference-in-differences."},
    "few_clusters_randomization": {
        "fr": "Peu de zones testées ou témoins : l'incertitude est calculée en redistribuant "
              "au hasard les zones testées (inférence par permutation), plus prudente.",
        "en": "Few treated or control zones: the uncertainty comes from reshuffling which "
              "zones were treated (randomization inference), the cautious choice."},
    "few_clusters_cluster_robust": {
        "fr": "Peu de zones : l'intervalle est probablement trop étroit.",
        "en": "Few zones: the interval is probably too narrow."},
    "no_cluster_hc1": {"fr": "Les mesures sont traitées comme indépendantes : l'intervalle "
                             "est probablement trop étroit.",
                       "en": "Measurements are treated as independent: the interval is "
                             "probably too narrow."},
    "ri_few_assignments": {"fr": "Peu de tirages possibles : l'intervalle est grossier et "
                                 "peut être illimité.",
                           "en": "Few possible reshuffles: the interval is coarse and may be "
                                 "unbounded."},
    "ri_ignores_clusters": {"fr": "Le traitement varie à l'intérieur des groupes : le tirage "
                                  "s'est fait par zone, pas par groupe.",
                            "en": "Treatment varies within groups: zones, not groups, were "
                                  "reshuffled."},
    "ci_unbounded": {"fr": "Les données n'excluent pas des effets très grands : "
                           "l'intervalle est illimité.",
                     "en": "The data cannot rule out very large effects: the interval is "
                           "unbounded."},
    "pilot_start_mid_bucket": {"fr": "Le pilote commence au milieu d'une période de mesure, "
                                     "qui a été écartée.",
                               "en": "The pilot starts within a measurement period, which "
                                     "was left out."},
    "cuped_constant_covariate": {"fr": "La mesure d'avant pilote ne varie pas : pas "
                                       "d'ajustement.",
                                 "en": "The pre-pilot measure does not vary: no adjustment."},
    "low_coverage": {"fr": "Certaines zones ou périodes ont trop peu de mesures.",
                     "en": "Some zones or periods have too few measurements."},
    "gaps": {"fr": "Certaines zones ont de longues interruptions de mesure.",
             "en": "Some zones have long gaps in their measurements."},
    "outliers": {"fr": "Certaines valeurs sont extrêmes.", "en": "Some values are extreme."},
    "baseline_imbalance": {"fr": "Zones testées et témoins différaient nettement avant le "
                                 "pilote.",
                           "en": "Treated and control zones differed markedly before the "
                                 "pilot."},
    "pre_trend": {"fr": "Avant le pilote, zones testées et témoins n'évoluaient pas de la "
                        "même façon : l'estimation peut être biaisée.",
                  "en": "Before the pilot, treated and control zones did not move together: "
                        "the estimate may be biased."},
    "pre_trend_not_checked": {"fr": "Période de référence trop courte pour vérifier que les "
                                    "zones évoluaient de la même façon avant le pilote.",
                              "en": "Baseline too short to check that zones moved together "
                                    "before the pilot."},
    "power_independent_periods": {"fr": "Référence plus courte que prévu : l'effet minimal "
                                        "détectable est peut-être optimiste.",
                                  "en": "Baseline shorter than planned: the minimum "
                                        "detectable effect may be optimistic."},
    "power_randomization": {"fr": "Moins de dix zones testées ou témoins : la puissance réelle "
                                  "est plus faible que cet effet minimal détectable.",
                            "en": "Fewer than ten treated or control zones: the real power is "
                                  "lower than this minimum detectable effect."},
    "independent_readings": {"fr": "Sans colonne de temps, les mesures sont traitées comme "
                                   "indépendantes : l'intervalle est probablement trop étroit.",
                             "en": "Without a time column, readings are treated as independent: "
                                   "the interval is probably too narrow."},
    "cluster_inference_refused": {"fr": "Trop peu de zones pour la méthode demandée : elle a "
                                        "été refusée ; choisissez le mode automatique ou par "
                                        "permutation.",
                                  "en": "Too few zones for the requested method: it was "
                                        "refused; choose automatic or randomization "
                                        "inference."},
    "treated_noisier_few": {"fr": "Les une ou deux zones testées variaient nettement plus que "
                                  "les témoins avant le pilote : l'intervalle a été élargi ; "
                                  "résultat indicatif.",
                            "en": "The one or two treated zones varied much more than the "
                                  "controls before the pilot: the interval was widened; "
                                  "treat the result as indicative."},
    "no_responses": {"fr": "Aucune réponse.", "en": "No responses."},
    "suppressed_small_count": {"fr": "Masqué : trop peu de répondant·es.",
                               "en": "Hidden: too few respondents."},
    "suppressed_secondary": {"fr": "Masqué pour qu'un petit effectif ne puisse être déduit "
                                   "des totaux.",
                             "en": "Hidden so that a small count cannot be worked out from "
                                   "the totals."},
    "suppressed_derived": {"fr": "Masqué : calculé à partir d'un effectif masqué.",
                           "en": "Hidden: computed from a hidden count."},
    "sus_incomplete_excluded": {"fr": "Des questionnaires SUS incomplets sont exclus du score.",
                                "en": "Incomplete SUS questionnaires are left out of the "
                                      "score."},
    "raking_unknown_category": {"fr": "Des catégories de répondant·es ne figurent pas dans "
                                      "les marges : pas de pondération.",
                                "en": "Some respondent categories are not in the margins: no "
                                      "weighting."},
    "raking_empty_category": {"fr": "Une catégorie de la population n'a aucun·e "
                                    "répondant·e : pas de redressement possible.",
                              "en": "A population category has no respondents: no "
                                    "reweighting possible."},
    "raking_not_converged": {"fr": "Le redressement n'a pas convergé : poids approximatifs.",
                             "en": "Reweighting did not converge: approximate weights."},
    "no_p_value": {"fr": "Pas de p-valeur pour cet indicateur : hors de la correction "
                         "multiple.",
                   "en": "No p-value for this indicator: left out of the multiple-testing "
                         "correction."},
    "several_primary_kpis": {"fr": "Plusieurs indicateurs principaux : chacun est aussi "
                                   "présenté sans correction.",
                             "en": "Several primary indicators: each is also shown "
                                   "unadjusted."},
}
