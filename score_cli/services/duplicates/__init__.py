"""Finding duplicate requests: the same client asking again, perhaps from another e-mail.

The articles admit "if the client has multiple email addresses, our system would not have
been able to catch that". This package catches it in four steps:

1. `normalise`: phones to E.164 (US by default), names without case, accents, punctuation,
   honorifics or middle initials, businesses without LLC/Inc, e-mails without dots,
   plus-tags or case in the local part, questions as content words;
2. `signals`: only requests sharing a blocking key and submitted within the window of each
   other become candidate pairs; each pair's shared signals and contradicting details;
3. `scoring`: a score from 0 to 1, and whether the pair has an identity signal (SPEC §10):
   without one, nothing is ever withdrawn; a similar question is only a hint;
4. `grouping`: the groups over the whole store, the request to keep in each, the plan's rows
   for the groups that touch the scope.
"""

from score_cli.services.duplicates.grouping import DEFAULT_WINDOW_DAYS, PROGRESS, Found, find, keeper_order
from score_cli.services.duplicates.normalise import (business_key, email_key, fold, name_key, phone_key,
                                                     question_words, zip5)
from score_cli.services.duplicates.scoring import (DEFAULT_MIN_SCORE, IDENTITY, RULES, combine, is_identity, judge,
                                                   score_pair)
from score_cli.services.duplicates.signals import (Candidate, block_keys, candidate, candidate_pairs, compare,
                                                   weigh_questions)

__all__ = ["DEFAULT_MIN_SCORE", "DEFAULT_WINDOW_DAYS", "IDENTITY", "PROGRESS", "RULES", "Candidate", "Found",
           "block_keys", "business_key", "candidate", "candidate_pairs", "combine", "compare", "email_key",
           "find", "fold", "is_identity", "judge", "keeper_order", "name_key", "phone_key", "question_words",
           "score_pair", "weigh_questions", "zip5"]
