"""The texts a new practice starts with, one per consent kind (the practice edits them).

Plain wording a couple can read in a few minutes. They are a starting point, not legal advice:
the practice should have its own forms reviewed for its state and licence.
"""

from __future__ import annotations

from therapy_portal.models.consents import ConsentKind

COUPLES_THERAPY = """\
In couples therapy the relationship is the focus of our work, and both of you are my clients.

What to expect. Sessions usually last 50 minutes and are mostly held with both of you. I may \
suggest an individual session with each of you; what is shared there is handled under the \
confidentiality policy you sign separately. Between sessions I may give homework and short \
weekly check-ins; you answer them in this portal.

Benefits and risks. Many couples communicate better and feel closer after therapy, but there \
are no guarantees. Talking about painful topics can bring up strong feelings for a while, and \
some couples decide to separate. You may ask questions about the approach at any time.

Confidentiality and its limits. What you tell me is confidential, except where the law \
requires or allows me to act: a serious risk of harm to yourself or someone else, suspected \
abuse or neglect of a child or a vulnerable adult, or a court order.

Safety. If there is violence or coercion in the relationship, tell me, alone if that is safer. \
Joint sessions may not be the right format then, and I will help you find what is.

Your choices. Taking part is voluntary. Either of you may end therapy or withdraw this consent \
at any time; withdrawing does not undo what was done before.

The portal is not for emergencies. In an emergency call 911 or go to the nearest emergency room.
"""

NO_SECRETS = """\
We work under a "no secrets" policy. The two of you together are my client.

What this means. Anything either of you tells me on your own (in an individual session, a \
private message, a private homework answer or a phone call) may be brought into our joint \
work when I judge it important for the therapy. I will not keep secrets from one partner on \
behalf of the other.

How I use it. I will usually encourage the partner concerned to share the information \
themselves first, and I will use care about timing and wording. I will not use this policy to \
put anyone at risk: if sharing something could endanger one of you, protecting you comes first.

Outside the therapy. This policy is about sharing between the two of you. Nothing is released \
to anyone outside the therapy without written authorization, except where the law requires it.

You may ask to discuss this policy at any time, and withdraw from it; if you do, we will talk \
about whether joint therapy can continue.
"""

LIMITED_SECRETS = """\
We work under a "limited secrets" policy. The two of you together are my client.

What this means. What either of you tells me on your own (in an individual session, a private \
message or a private homework answer) stays between you and me unless you give permission to \
share it. Your partner will not be told that a private conversation took place or what it was \
about.

The limits. If a secret (for example an ongoing affair, violence or an active addiction) makes \
honest couples work impossible, I will encourage you to share it and give you time to do so. \
If you decide not to, I may stop the joint therapy without saying why, and help each of you \
find other support. Safety always comes first: a serious risk of harm is not kept secret.

Outside the therapy. Nothing is released to anyone outside the therapy without written \
authorization, except where the law requires it.

You may ask to discuss this policy at any time, and withdraw from it; if you do, we will talk \
about whether joint therapy can continue.
"""

TELEHEALTH = """\
Some sessions may be held online by video, and the portal carries secure messages.

Online sessions. Join from a private place where you cannot be overheard, on a device and \
connection you trust. At the start of each session I may ask where you are, so that I can get \
help to you in an emergency. If the connection fails, I will try the link again and then call \
you. Online sessions are never recorded by me; please do not record them either.

Messages. Portal messages are for practical questions and short updates between sessions. I \
read them during working hours, usually within two working days. Messages become part of your \
record. A private message is handled under the confidentiality policy you signed.

Not for emergencies. Online sessions and messages are not an emergency service. In an \
emergency call 911 or go to the nearest emergency room.

Risks. Online work depends on technology: a session can be interrupted, and no system is \
perfectly secure. The portal encrypts what you write and sign-in is protected, but you protect \
your own devices and passwords.

You may withdraw this consent at any time; online sessions then cannot go ahead and we will \
meet in person instead.
"""

RECORDS_RELEASE = """\
This consent covers copies of the couple's record.

What the record holds. Signed session notes, homework you shared in therapy, check-in scores \
and portal messages. Psychotherapy notes kept separately by the therapist are never released.

Joint record. Because the record describes both of you, a copy of the joint record is released \
only when each of you has signed this consent and a written authorization for that request \
has been recorded.

Your own copy. Each of you may ask for your own copy. It holds the sessions you attended and \
what you shared, never your partner's private answers or private messages.

Release to others. The record is released to someone else (another clinician, a lawyer) only \
with the written authorization of each person it concerns, except where the law requires it.

You may withdraw this consent at any time; it does not undo a release already made.
"""

DEFAULTS: dict[ConsentKind, tuple[str, str]] = {
    ConsentKind.COUPLES_THERAPY: ("Informed consent for couples therapy", COUPLES_THERAPY),
    ConsentKind.NO_SECRETS: ("Confidentiality between partners: no secrets", NO_SECRETS),
    ConsentKind.LIMITED_SECRETS: (
        "Confidentiality between partners: limited secrets",
        LIMITED_SECRETS,
    ),
    ConsentKind.TELEHEALTH: ("Online sessions and messaging", TELEHEALTH),
    ConsentKind.RECORDS_RELEASE: ("Release of records", RECORDS_RELEASE),
}
