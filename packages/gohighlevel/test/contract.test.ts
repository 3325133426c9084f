import { type ContractModel, testConnectorContract } from "@patchbay/testing";
import { goHighLevel, toAppointmentRecord } from "../src/index.js";
import {
  createGhlFake,
  GHL_SANDBOX,
  GHL_SANDBOX_APP,
  GHL_SANDBOX_WEBHOOK_KEYS,
  type GhlFake,
} from "../src/testing/index.js";

const DAY = 24 * 60 * 60_000;
const connector = () =>
  goHighLevel({ ...GHL_SANDBOX_APP, webhookPublicKey: GHL_SANDBOX_WEBHOOK_KEYS.publicKey });
// A 20 ms burst window, so a 429's wait (read from X-RateLimit-Interval-Milliseconds) stays short.
const fake = () => createGhlFake({ rateLimit: { burstIntervalMs: 20 } });

const contacts: ContractModel<GhlFake> = {
  seed: (f, n) => void f.seedContacts(n),
  snapshot: (f) => new Map(f.contacts().map((c) => [c.id, c])),
  update: (f, id) => f.editContact(id, { tags: ["contract-updated"] }),
  create: (f) => f.createContact({ firstName: "New", email: "new.customer@example.com" }),
  remove: (f, id) => f.deleteContact(id),
  hostRecord: (n) => ({ firstName: `Host${n}`, email: `host${n}@example.com` }),
};

const appointments: ContractModel<GhlFake> = {
  seed: (f, n) => void f.seedAppointments(n),
  snapshot: (f) =>
    new Map(f.appointments().map((a) => [a.id, toAppointmentRecord(a, a.locationId)])),
  update: (f, id) => f.editAppointment(id, { appointmentStatus: "showed" }),
  create: (f) =>
    f.bookAppointment({
      contactId: GHL_SANDBOX.hostContactId,
      startTime: new Date(Date.now() + 20 * DAY).toISOString(),
    }),
  remove: (f, id) => f.deleteAppointment(id),
  hostRecord: (n) => ({
    calendarId: GHL_SANDBOX.estimatesCalendarId,
    contactId: GHL_SANDBOX.hostContactId,
    startTime: new Date(Date.now() + (3 + n) * DAY).toISOString(),
    title: `Host booking ${n}`,
  }),
};

testConnectorContract("gohighlevel contacts", { connector, fake, models: { contacts } });

testConnectorContract("gohighlevel appointments", {
  connector,
  fake,
  // The first model listed is the one the suite exercises.
  models: { appointments, contacts },
});
