import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { googleDrive } from "../src/index.js";
import {
  createGoogleDriveFake,
  GOOGLE_DRIVE_SANDBOX_REDIRECT_URI,
  GOOGLE_SANDBOX_CLIENT,
  type GoogleDriveFake,
} from "../src/testing/index.js";

/** The fake, plus the folder `configure` chose, where the model's files live. */
type DriveContractFake = ContractFake & { drive: GoogleDriveFake; folderId?: string };

const withoutVersion = (record: unknown) => {
  // `version` is volatile: Drive bumps it for changes a user cannot see.
  const { version: _volatile, ...rest } = record as Record<string, unknown>;
  return rest;
};

const files: ContractModel<DriveContractFake> = {
  seed: ({ drive, folderId }, n) => {
    for (let i = 1; i <= n; i++)
      drive.addFile({
        name: `Pitch list ${i}.csv`,
        mimeType: "text/csv",
        content: `row ${i}\n`,
        parentId: folderId,
      });
  },
  snapshot: ({ drive, folderId }) => drive.records({ folderId }),
  update: ({ drive }, id) => void drive.renameFile(id, `Renamed ${id}.csv`),
  create: ({ drive, folderId }) =>
    drive.addFile({ name: "New at Drive.txt", parentId: folderId }).id,
  remove: ({ drive }, id) => void drive.trashFile(id),
  compare: withoutVersion,
};

testConnectorContract<DriveContractFake>("google-drive", {
  connector: () => googleDrive(GOOGLE_SANDBOX_CLIENT),
  redirectUri: GOOGLE_DRIVE_SANDBOX_REDIRECT_URI,
  fake: () => {
    const drive = createGoogleDriveFake();
    return {
      drive,
      handlers: drive.handlers,
      oauth: drive.oauth,
      rateLimitNext: (n?: number) => drive.rateLimitNext(n),
      webhook: (connection, { forged }) => drive.webhook(connection, { forged }),
    };
  },
  configure: async (patchbay, connection, fake) => {
    // A folder with a file next to it that the model must not sync.
    const folder = fake.drive.addFolder({ name: "Patchbay exports" });
    fake.drive.addFile({ name: "Elsewhere.txt" });
    fake.folderId = folder.id;
    await patchbay.connections.configure(connection.tenantId, connection.id, {
      folderId: folder.id,
    });
  },
  models: { files },
  skip: {
    "write-back creates at the provider, and the next sync does not echo it":
      "the files model is a read-only mirror; files are written through the uploadFile action",
  },
});
