/** data/migrations/007-erased-emails.ts in PostgreSQL's dialect. */
export const up = `
CREATE TABLE erased_emails (
  address_hash      TEXT COLLATE "C" PRIMARY KEY,
  erased_at         TEXT COLLATE "C" NOT NULL
);
`;
