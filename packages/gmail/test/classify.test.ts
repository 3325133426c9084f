import { describe, expect, it } from "vitest";
import {
  addressOf,
  classifyReply,
  normalizeSubject,
  type ReplyClassification,
  stripQuotedText,
} from "../src/index.js";

const reply = (headers: Record<string, string>, text = "") => classifyReply({ headers, text });

describe("classifyReply: bounces", () => {
  it.each<[string, Record<string, string>, ReplyClassification]>([
    [
      "a DSN content type (RFC 3464)",
      { "Content-Type": 'multipart/report; boundary="b1"; report-type=delivery-status' },
      {
        label: "bounce",
        reason: "header Content-Type: multipart/report; report-type=delivery-status",
      },
    ],
    [
      "a DSN content type with a quoted report-type first",
      { "content-type": 'Multipart/Report; report-type="delivery-status"; boundary=x' },
      {
        label: "bounce",
        reason: "header Content-Type: multipart/report; report-type=delivery-status",
      },
    ],
    [
      "X-Failed-Recipients",
      { "X-Failed-Recipients": "dj@nowhere.example" },
      { label: "bounce", reason: "header X-Failed-Recipients: dj@nowhere.example" },
    ],
    [
      "mailer-daemon as sender",
      { From: "Mail Delivery Subsystem <MAILER-DAEMON@googlemail.com>" },
      { label: "bounce", reason: "sender mailer-daemon@googlemail.com" },
    ],
    [
      "postmaster as sender",
      { From: "postmaster@kexp.example" },
      { label: "bounce", reason: "sender postmaster@kexp.example" },
    ],
    [
      "Gmail's DSN subject",
      { Subject: "Delivery Status Notification (Failure)" },
      { label: "bounce", reason: 'subject "Delivery Status Notification (Failure)"' },
    ],
    [
      "Outlook's Undeliverable subject",
      { Subject: "Undeliverable: New single" },
      { label: "bounce", reason: 'subject "Undeliverable: New single"' },
    ],
  ])("%s", (_title, headers, expected) => {
    expect(reply(headers, "Sounds great!")).toEqual(expected);
  });

  it("a multipart/report that is not a delivery report is not a bounce", () => {
    expect(
      reply({ "Content-Type": "multipart/report; report-type=disposition-notification" }).label,
    ).toBe("other");
  });

  it("beats auto-reply headers (DSNs carry Auto-Submitted: auto-replied too)", () => {
    expect(
      reply({
        From: "mailer-daemon@googlemail.com",
        "Auto-Submitted": "auto-replied",
      }),
    ).toEqual({ label: "bounce", reason: "sender mailer-daemon@googlemail.com" });
  });
});

describe("classifyReply: auto-replies by header", () => {
  it.each<[string, Record<string, string>, string]>([
    [
      "Auto-Submitted: auto-replied",
      { "Auto-Submitted": "auto-replied" },
      "header Auto-Submitted: auto-replied",
    ],
    [
      "Auto-Submitted: auto-generated with parameters",
      { "auto-submitted": "Auto-Generated; owner-email=x@y" },
      "header Auto-Submitted: auto-generated",
    ],
    ["X-Autoreply", { "X-Autoreply": "yes" }, "header X-Autoreply: yes"],
    ["X-Autorespond", { "X-Autorespond": "Out of office" }, "header X-Autorespond: Out of office"],
    [
      "X-Auto-Response-Suppress",
      { "X-Auto-Response-Suppress": "All" },
      "header X-Auto-Response-Suppress: All",
    ],
    ["Precedence: auto_reply", { Precedence: "auto_reply" }, "header Precedence: auto_reply"],
    ["Precedence: bulk", { Precedence: "Bulk" }, "header Precedence: bulk"],
    ["Precedence: junk", { Precedence: "junk" }, "header Precedence: junk"],
  ])("%s", (_title, headers, reason) => {
    // The text says yes: headers beat phrases.
    expect(reply(headers, "Sounds great, send it over!")).toEqual({
      label: "out_of_office",
      reason,
    });
  });

  it("Auto-Submitted: no is a human reply (RFC 3834)", () => {
    expect(reply({ "Auto-Submitted": "no" }, "Sounds great!")).toEqual({
      label: "interested",
      reason: 'phrase "sounds great"',
    });
  });

  it("Precedence: list is not an auto-reply", () => {
    expect(reply({ Precedence: "list" }, "no thanks").label).toBe("not_interested");
  });
});

describe("classifyReply: out of office by phrase", () => {
  it.each<[string, string, string]>([
    ["Automatic reply: New single", "", 'subject phrase "automatic reply"'],
    ["Out of Office: New single", "", 'subject phrase "out of office"'],
    ["Abwesenheitsnotiz: Neue Single", "", 'subject phrase "abwesenheitsnotiz"'],
    ["Re: New single", "I'm on vacation until the 12th.", 'phrase "on vacation"'],
    ["Re: New single", "Away until Monday, limited access to email.", 'phrase "away until"'],
    [
      "Re: Nouveau single",
      "Je suis absent du bureau jusqu'au 3 juin.",
      'phrase "absent du bureau"',
    ],
    ["Re: Nuevo sencillo", "Estoy fuera de la oficina.", 'phrase "fuera de la oficina"'],
    ["Re: Neue Single", "Ich bin nicht im Büro.", 'phrase "nicht im büro"'],
    ["Re: Nieuwe single", "Ik ben met vakantie.", 'phrase "met vakantie"'],
    ["Re: Nuovo singolo", "Sono fuori ufficio.", 'phrase "fuori ufficio"'],
    ["Re: Novo single", "Estou de férias.", 'phrase "de férias"'],
    ["Re: New single", "REPONSE AUTOMATIQUE", 'phrase "réponse automatique"'],
  ])("%s / %s", (subject, text, reason) => {
    expect(reply({ Subject: subject }, text)).toEqual({ label: "out_of_office", reason });
  });

  it("beats interest in the same text", () => {
    expect(
      reply(
        { Subject: "Re: New single" },
        "I'm out of office this week; would love to hear it after.",
      ).label,
    ).toBe("out_of_office");
  });
});

describe("classifyReply: interest", () => {
  it.each<[string, string]>([
    ["Would love to hear the full EP.", "love to hear"],
    ["Send it over!", "send it over"],
    ["Sounds great.", "sounds great"],
    ["Love this one, adding it to rotation.", "love this"],
    ["Can you send the WAV?", "can you send"],
    ["I’m interested — what’s the release date?", "i'm interested"],
  ])("%s", (text, phrase) => {
    expect(reply({}, text)).toEqual({ label: "interested", reason: `phrase "${phrase}"` });
  });

  it.each<[string, string]>([
    ["Not a fit for us, sorry.", "not a fit"],
    ["Please remove me from your list.", "please remove"],
    ["No thanks.", "no thanks"],
    ["unsubscribe", "unsubscribe"],
    ["We'll pass on this one.", "we'll pass"],
  ])("%s", (text, phrase) => {
    expect(reply({}, text)).toEqual({ label: "not_interested", reason: `phrase "${phrase}"` });
  });

  it("not interested beats interested when both match", () => {
    expect(reply({}, "Sounds great, but not a fit for the show.")).toEqual({
      label: "not_interested",
      reason: 'phrase "not a fit"',
    });
    // "not interested" contains "interested" but never reads as interest.
    expect(reply({}, "I'm not interested.").label).toBe("not_interested");
  });

  it("matches whole words only", () => {
    // "sounds goodish" is not "sounds good"; "unsubscribed" is not "unsubscribe".
    expect(reply({}, "It sounds goodish. I unsubscribed from nothing.").label).toBe("other");
  });

  it("ignores the quoted pitch below 'On … wrote:'", () => {
    const text =
      "Thanks for thinking of me.\n\nOn Tue, 4 Jun 2024 at 09:30, Sam <sam@label.example> wrote:\n> Would love to hear what you think — send it over?\n";
    expect(reply({}, text)).toEqual({ label: "other", reason: "no rule matched" });
  });

  it("ignores a signature's unsubscribe footer", () => {
    expect(
      reply({}, "Sounds great!\n-- \nCheryl\nTo unsubscribe from my newsletter, reply STOP"),
    ).toEqual({
      label: "interested",
      reason: 'phrase "sounds great"',
    });
  });

  it("says why nothing matched", () => {
    expect(reply({ Subject: "Re: New single" }, "Got it.")).toEqual({
      label: "other",
      reason: "no rule matched",
    });
  });

  it("takes Gmail's { name, value } header list", () => {
    expect(
      classifyReply({ headers: [{ name: "auto-submitted", value: "auto-replied" }], text: "" }),
    ).toEqual({ label: "out_of_office", reason: "header Auto-Submitted: auto-replied" });
  });

  it("names the bad argument", () => {
    expect(() => classifyReply({ headers: {}, text: 3 as unknown as string })).toThrow(
      new TypeError('"reply.text" must be a string'),
    );
    expect(() => classifyReply(null as never)).toThrow(TypeError);
  });
});

describe("stripQuotedText", () => {
  it.each<[string, string, string]>([
    ["Gmail", "Yes!\n\nOn Mon, Jun 3, 2024 at 10:00 AM Sam <s@x.com> wrote:\n> pitch", "Yes!"],
    [
      "Gmail, wrapped",
      "Yes!\n\nOn Mon, Jun 3, 2024 at 10:00 AM Sam Promoter <\nsam@x.com> wrote:\n> pitch",
      "Yes!",
    ],
    ["German", "Ja!\n\nAm Mo., 3. Juni 2024 um 10:00 Uhr schrieb Sam <s@x.com>:\n> pitch", "Ja!"],
    ["French", "Oui !\n\nLe lun. 3 juin 2024 à 10:00, Sam <s@x.com> a écrit :\n> pitch", "Oui !"],
    ["Outlook", "Yes\n\n-----Original Message-----\nFrom: Sam", "Yes"],
    ["Outlook block", "Yes\n\nFrom: Sam <s@x.com>\nSent: Monday\nSubject: pitch", "Yes"],
    ["quoted lines only", "> quoted\nmine", "mine"],
  ])("%s", (_title, text, expected) => {
    expect(stripQuotedText(text)).toBe(expected);
  });
});

describe("normalizeSubject", () => {
  it.each<[string, string]>([
    ["Re: New single", "new single"],
    ["RE: Fwd: AW:  New   single", "new single"],
    ["Re[2]: New single", "new single"],
    ["SV: VS: New single", "new single"],
    ["Automatic reply: New single", "new single"],
    ["Réponse automatique : Nouveau single", "nouveau single"],
    ["New single: Hot Chip", "new single: hot chip"],
  ])("%s", (subject, expected) => {
    expect(normalizeSubject(subject)).toBe(expected);
  });
});

describe("addressOf", () => {
  it("reads the address out of a From value", () => {
    expect(addressOf('"Waters, Cheryl" <Cheryl@KEXP.example>')).toBe("cheryl@kexp.example");
    expect(addressOf("dj@kexp.example")).toBe("dj@kexp.example");
  });
});
