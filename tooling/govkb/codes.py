"""The catalogue of finding codes: one static table, like MyST-Parser's warning types.

Every code govkb reports is listed here with its default severity, a title, a fix hint and
an example; nothing is added by importing a module, so any module may read the catalogue
and the checks, the configuration and the site all see the same codes.  The site renders
one page per code from this table.  A new code is a new row (keep the table sorted).
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES: tuple[str, ...] = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Code:
    """A finding code: what it catches and how to fix it."""

    code: str
    severity: str
    title: str
    hint: str
    example: str = ""


CATALOGUE: tuple[Code, ...] = (
    # ---- KB0xx: waivers
    Code('KB001', ERROR, 'Malformed waiver file',
         'Fix the waiver file: a `waivers:` list whose entries each have code, subject and/or path, reason, '
         'owner and expires (YYYY-MM-DD).',
         'A waiver with no `expires:` date.'),
    Code('KB002', ERROR, 'Waiver expired',
         'The waived finding is reported again. Fix it, or renew the waiver with a new `expires` date and a '
         'reason the owner still stands behind.',
         'A waiver for KB403 on SOP_QA with `expires: 2026-06-30`, checked on 2026-11-25.'),
    Code('KB003', WARNING, 'Waiver matches no finding',
         'Remove the waiver: whatever it waived has been fixed (or its code, subject or path is misspelt).',
         'A waiver for KB301 on LMG_SOLICIT_04 after a step started implementing the rule.'),
    # ---- KB1xx: reading files
    Code('KB100', ERROR, 'File cannot be read as UTF-8 text',
         'Save the file as UTF-8 (without a byte-order mark is best) and remove binary content; replace a '
         "directory or a broken link that has a source file's name."),
    Code('KB101', ERROR, 'YAML syntax error',
         'Fix the YAML syntax at the position shown; check indentation, colons and quotes.'),
    Code('KB102', ERROR, 'Duplicate key in a mapping',
         'Remove or rename one of the two keys: YAML would silently keep only the last value.'),
    Code('KB103', ERROR, 'Forbidden YAML construct (tag, anchor or alias)',
         'Write plain values: govkb does not accept YAML tags such as !!python/object, anchors (&) or aliases '
         '(*).'),
    Code('KB104', ERROR, 'Empty file',
         "Write the file's content or delete the file."),
    Code('KB105', ERROR, 'Schema violation',
         'Change the value so it matches the format documented in the policy schema.'),
    Code('KB106', ERROR, 'Invalid SOP front matter',
         "Start the SOP with a YAML front matter block between '---' lines holding id, title, owner, version, "
         'status, review_by and policies.'),
    Code('KB107', ERROR, 'Malformed need directive',
         'Give the directive a title and the required options (:id:, and for steps :actor:, :input:, :output:).'),
    Code('KB108', ERROR, 'File larger than the size limit',
         'Split the file or remove what does not belong in it: govkb reads policy, catalog, SOP and page files'
         ' of up to 1 MiB.'),
    Code('KB109', ERROR, 'YAML nested too deeply',
         'Flatten the structure: govkb reads YAML nested up to 64 levels, and its files need a handful.'),
    # ---- KB2xx: references
    Code('KB201', ERROR, 'Duplicate id',
         'Give each policy, rule, action, KPI, SOP, step and requirement its own id; rename one of the two.',
         'Two SOPs both declare `id: SOP_REVIEW`.'),
    Code('KB202', ERROR, 'Step implements an unknown rule',
         "Fix the rule id in the step's :implements: option; rule ids are listed on the policy pages.",
         ':implements: LMG_SOLICIT_09 where the policy has rules 01 to 04.'),
    Code('KB203', ERROR, 'Step applies an unknown action',
         'Use an action id from policies/catalog/actions.yaml in :applies:.',
         ':applies: ACT_GIFT_BAN where the catalog has ACT_GIFTING_SUSPEND.'),
    Code('KB204', ERROR, 'Reference to an unknown policy',
         'List only policy ids that exist under policies/ (check the spelling).',
         'SOP front matter `policies: [LMG_SOLICITATION]` where the policy id is LMG_SOLICIT.'),
    Code('KB205', ERROR, 'Unknown owner',
         'Use an owner id from policies/catalog/owners.yaml, or add the team to that catalog.',
         '`owner: ops-team` where the catalog has lmg-ops.'),
    Code('KB206', ERROR, 'Reference to an unknown catalog entry',
         'Use an id that exists in the named catalog (features, markets, areas, severities, actions, KPI '
         'measures, requirements).',
         '`scope.features: [gifts]` where the catalog has gifting.'),
    Code('KB207', ERROR, 'Unknown policy value in the {pv} role',
         'Use a key the policy defines, e.g. LMG_SOLICIT.strike_window, LMG_SOLICIT.step2 or a threshold name.',
         '{pv}`LMG_SOLICIT.appeal_days` where the key is LMG_SOLICIT.appeal_window.'),
    # ---- KB3xx: coverage
    Code('KB301', ERROR, 'Active rule not implemented by any SOP step',
         'Add a step that lists the rule in :implements: to the SOP that carries out the policy (or scaffold '
         'one with `govkb new sop --rule RULE_ID`).',
         'LMG_SOLICIT_04 is active but no step has `:implements: LMG_SOLICIT_04`.'),
    Code('KB302', ERROR, 'Active policy served by no active SOP',
         'List the policy in the `policies:` front matter of the SOP(s) that carry it out.',
         'LMG_GAMBLING is active but no active SOP has LMG_GAMBLING in `policies:`.'),
    Code('KB303', WARNING, 'Area has active policies but no covered rule',
         "Write or activate the SOP steps that implement the area's rules; until then nobody enforces anything"
         ' in this area.',
         'Area `safety-and-brand` has two active policies and none of their rules is implemented.'),
    Code('KB304', INFO, 'Area rule coverage below 100 %',
         'Implement the uncovered rules listed in the message (each also has its own KB301 finding).',
         'Area `gifting-integrity`: 7 of 8 active rules covered (87.5 %).'),
    Code('KB305', WARNING, 'KPI measures no SOP',
         "Add the id of the SOP(s) whose work the KPI measures to the KPI's `measures:` list in "
         'policies/catalog/kpis.yaml, so someone is accountable for the number.',
         'KPI_RECIDIVISM_90D has `measures: [LMG_SOLICIT]` and no SOP id.'),
    Code('KB306', WARNING, 'Active SOP covers nothing',
         'Give the SOP steps that implement the rules it carries out; for a process SOP (appeals, QA) add it '
         'to the `measures:` of the KPI that holds it to account; or retire it.',
         'SOP_NOTES is active, none of its steps has :implements: and no KPI measures it.'),
    Code('KB307', ERROR, 'SOP implements rules of a policy it does not serve',
         "Add the policy to the SOP's `policies:` front matter (the serves link drives the site's traceability"
         ' pages and re-review after a policy change).',
         'A step of SOP_REVIEW implements LMG_GAMBLING_01 but SOP_REVIEW lists `policies: [LMG_SOLICIT]`.'),
    # ---- KB4xx: lifecycle
    Code('KB401', ERROR, 'Active SOP serves a policy that is not active',
         "Point the SOP at the active policy (or its successor), or change the SOP's status.",
         'An active SOP lists `policies: [LMG_OLDRULES]` and LMG_OLDRULES is retired.'),
    Code('KB402', ERROR, 'Active step implements a rule of a policy that is not active',
         "Implement the rule of the active policy that replaced it (see the policy's superseded_by), or drop "
         'the rule from :implements:.',
         'SOP_REVIEW_02 has `:implements: LMG_OLD_01` and LMG_OLD is superseded by LMG_NEW.'),
    Code('KB403', WARNING, 'SOP past its review-by date',
         'Review the SOP against its policies, bump its version and set a new `review_by` date.',
         '`review_by: 2026-01-31` and today is 2026-02-15.'),
    Code('KB404', WARNING, 'Active SOP relies on a policy that is not yet in effect',
         "Check the policy's `effective` date: either the SOP is early (mark it draft until then) or the date "
         'is wrong.',
         'SOP_REVIEW serves LMG_SOLICIT 2.0.0, `effective: 2027-01-01`, and today is 2026-11-25.'),
    Code('KB405', ERROR, 'Superseded policy does not name its successor',
         'Set `superseded_by` to the id of the policy that replaces it (or use status `retired` when nothing '
         'replaces it); only superseded policies carry `superseded_by`.',
         '`status: superseded` with no `superseded_by`.'),
    Code('KB406', WARNING, 'KPI measures an item that is not active',
         'Point the KPI at the active SOP, policy or rule that replaced the one it measures.',
         'KPI_RECIDIVISM_90D measures SOP_OLD_ENFORCEMENT, which is retired.'),
    # ---- KB5xx: drift between SOP text and policy
    Code('KB501', ERROR, 'Value in SOP text contradicts the policy',
         'Replace the typed value with the {pv} role named in the message, e.g. '
         "{pv}`LMG_SOLICIT.strike_window`; the site then shows the policy's value, and it can never drift "
         'again.',
         '"Strikes expire after 60 days" in an SOP step for LMG_SOLICIT, whose strike window is 90 days.'),
    Code('KB502', WARNING, 'Policy value typed by hand in SOP text',
         'Write the value through the {pv} role named in the message instead of typing it: today it matches, '
         'but the next policy change would leave the SOP behind.',
         '"a 7-day gifting suspension" where LMG_SOLICIT.step2.duration is 7 days: write '
         '{pv}`LMG_SOLICIT.step2.duration`.'),
    Code('KB503', ERROR, 'Step applies an action the policy ladder does not contain',
         'Apply the action the ladder prescribes (see the policy page), or change the ladder in the policy '
         'first; session-only actions (duration: session) are allowed outside the ladder.',
         ':applies: ACT_EARNINGS_HOLD on a step implementing LMG_SOLICIT_01, whose ladder has no earnings hold.'),
    Code('KB504', ERROR, 'Step names a strike the policy ladder does not have',
         'Use a strike count from the ladder of every policy whose rules the step implements.',
         ':strike: 5 on a step implementing LMG_SOLICIT_01, whose ladder has strikes 1 to 4.'),
    Code('KB505', ERROR, 'Step applies a different action than the ladder at its strike',
         "Make :applies: name the ladder's action for the step's :strike: (or fix the :strike:).",
         ":strike: 2 with :applies: ACT_MONETIZATION_SUSPEND where LMG_SOLICIT's strike 2 is "
         'ACT_GIFTING_SUSPEND.'),
    # ---- KB6xx: enforcement ladders
    Code('KB601', ERROR, 'Ladder strike counts are not strictly increasing',
         'List the ladder steps in order of strike count, each count higher than the one before and none '
         'repeated.',
         'steps with `strike: 1`, `strike: 3`, `strike: 2`.'),
    Code('KB602', ERROR, 'Ladder restriction gets lighter at a later step',
         'Order the steps so each action weighs at least as much as the one before (weights are in '
         'policies/catalog/actions.yaml); a repeat offender must never get a milder action.',
         'strike 2 ACT_MONETIZATION_SUSPEND (weight 70), strike 3 ACT_GIFTING_SUSPEND (weight 40).'),
    Code('KB603', ERROR, 'Ladder has no final step, or it is not the heaviest',
         'Make the last step the heaviest action of the ladder; the final step is what a creator reaches after'
         ' every other step.',
         'final step ACT_GIFTING_SUSPEND (weight 40) after ACT_MONETIZATION_SUSPEND (weight 70).'),
    Code('KB604', WARNING, 'Final ladder step does not end monetization',
         'End the ladder with an indefinite action such as ACT_MONETIZATION_TERMINATE, or explain in the '
         'rationale why repeated violations never lose monetization for good.',
         'final step ACT_GIFTING_SUSPEND with `duration_days: 30`.'),
    Code('KB605', ERROR, 'Severe-case path enters the ladder at a strike that does not exist',
         "Set `severe_case.start_at_strike` to one of the ladder's strike counts.",
         '`start_at_strike: 5` where the ladder has strikes 1 to 4.'),
    Code('KB606', INFO, 'Severe or critical rule has no severe-case path',
         'Reported as info for severe rules and as a warning for critical ones. Consider a `severe_case` '
         '(when, start_at_strike) so the worst cases skip the education steps; if every case starts at strike '
         '1 on purpose, say so in the rationale.',
         'A `severity: critical` rule without `severe_case`.'),
    Code('KB607', ERROR, 'Timed action in the ladder without a duration',
         'Give the step `duration_days`: the action is timed in the actions catalog, so the notice and the '
         'statement of reasons need an end date.',
         '`action: ACT_GIFTING_SUSPEND` (duration: timed) with no `duration_days`.'),
    Code('KB608', ERROR, 'Duration on an action that is not timed',
         'Remove `duration_days` from the step: the action is one-off, per session or indefinite in the '
         'actions catalog (or use a timed action).',
         '`action: ACT_MONETIZATION_TERMINATE` (duration: indefinite) with `duration_days: 30`.'),
    Code('KB609', WARNING, 'Ladder does not start at strike 1',
         'Add a step for strike 1 (often an education notice), so a first violation has a defined outcome.',
         'the first step has `strike: 2`.'),
    # ---- KB7xx: regulatory (DSA)
    Code('KB701', ERROR, 'Restricting action has no DSA restriction',
         'Give the action in policies/catalog/actions.yaml the statement-of-reasons fields it produces '
         '(decision_visibility, decision_monetary, decision_provision or decision_account).',
         'ACT_GIFTING_SUSPEND has weight 40 and `dsa: {}`.'),
    Code('KB702', ERROR, 'Monetary restriction without decision_monetary',
         'Set `dsa.decision_monetary` (DECISION_MONETARY_SUSPENSION, _TERMINATION or _OTHER with '
         'decision_monetary_other) on an action that restricts monetization features.',
         'ACT_MATCH_SUSPEND restricts [match] and has only decision_provision.'),
    Code('KB703', ERROR, 'Appeal window shorter than six months for monetary restrictions',
         'Set `appeal.window_days` to at least 183: DSA Art. 20 keeps the complaint system open for at least '
         'six months after a decision that suspends or ends monetary payments.',
         '`appeal.window_days: 90` in a policy whose ladder suspends gifting.'),
    Code('KB704', ERROR, 'Policy applies in the EU but has no DSA block',
         'Add `dsa:` with `category`, `keywords` and `ground` so a statement of reasons can be built for every'
         ' decision taken under the policy in the EU/EEA.',
         '`scope.markets: [GLOBAL]` and no `dsa:` block.'),
    Code('KB705', ERROR, "DSA 'other' value without its text",
         'When a field is DECISION_MONETARY_OTHER or contains DECISION_VISIBILITY_OTHER, write the matching '
         '*_other text (at most 500 characters) that says what the restriction is.',
         '`decision_monetary: DECISION_MONETARY_OTHER` with no `decision_monetary_other`.'),
    Code('KB706', ERROR, 'DSA ground text missing or too long',
         "Write the policy's `dsa.ground` (the incompatible-content ground: which terms, which section), in at"
         ' most 500 characters.',
         "`dsa.ground: ''`."),
    # ---- KB8xx: SOP template
    Code('KB801', ERROR, 'Required SOP section missing',
         'Add the section as an H2 heading (`## Title`) in its place: Purpose, Scope, Roles, Procedure, '
         'Escalation, Records, Metrics, Revision history.',
         'An SOP with no `## Escalation` section.'),
    Code('KB802', ERROR, 'Required SOP section out of order',
         'Move the section so the required H2 sections follow the template order: Purpose, Scope, Roles, '
         'Procedure, Escalation, Records, Metrics, Revision history.',
         '`## Records` comes before `## Escalation`.'),
    Code('KB803', ERROR, 'SOP must have exactly one H1 title',
         'Start the body with one `# Title` heading (the SOP title) and use `##` for sections.',
         'Two `# ...` headings in one SOP.'),
    Code('KB804', ERROR, 'Step outside the Procedure section',
         'Move the step directive under `## Procedure`; the other sections describe the procedure, they do not'
         ' hold steps.',
         'A `{step}` directive under `## Escalation`.'),
    Code('KB805', ERROR, 'Step id does not start with its SOP id',
         'Name steps after their SOP: SOP id, underscore, two digits (SOP_REVIEW_01, SOP_REVIEW_02, ...).',
         'Step `SOP_INTAKE_03` in the SOP whose id is SOP_REVIEW.'),
    Code('KB806', ERROR, 'Owner has no contact',
         'Give the owner a `contact` (a team address or channel) in policies/catalog/owners.yaml, so people '
         'with a question about the policy or SOP know whom to ask.',
         "`contact: ''` for the owner of LMG_SOLICIT."),
    Code('KB807', INFO, 'Owner has no CODEOWNERS team',
         'Give the owner a `github_team` such as `@example-org/lmg-policy`, so `govkb codeowners` can route '
         'reviews of the files it owns.',
         'Owner lmg-qa has no `github_team`.'),
    # ---- KB9xx: privacy
    Code('KB901', ERROR, 'Email address in published text',
         'Remove the address or use a team contact from the owners catalog; in examples use an address at '
         'example.com, example.org, example.net or a .example domain.',
         '`Contact jane.doe@gmail.com for details.`'),
    Code('KB902', ERROR, 'Phone number in published text',
         'Remove the number; refer to a team or channel instead. Examples may use a fictional number such as '
         '+1 555 0100.',
         '`Call the creator on +44 7700 912345.`'),
    Code('KB903', ERROR, 'Account handle (@name) in published text',
         'Do not name accounts: describe the behaviour instead ("the host", "a viewer"). Examples may use '
         'handles starting with `@example`; team handles from the owners catalog are allowed.',
         '`@dancer_jane asked viewers for roses.`'),
    Code('KB904', ERROR, 'User or account id in published text',
         'Remove the id; case records live in the case system, not in the knowledge base.',
         '`user_id: 68123456789`.'),
    Code('KB905', ERROR, 'Link to a creator profile',
         'Remove the link: the knowledge base describes behaviour, never a particular creator. Link to help or'
         ' policy pages instead.',
         '`https://www.tiktok.com/@somecreator`'),
)

# By code, in the table's order.  ``govkb.findings.register`` may add to it (for codes other
# branches still declare in their modules until they move into the table).
CODES: dict[str, Code] = {entry.code: entry for entry in CATALOGUE}
