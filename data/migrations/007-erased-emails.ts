/**
 * Addresses of customers who asked to be forgotten, kept only as the SHA-256 the suppression list
 * uses: their customer record is pseudonymised, so without this a later import of an old export
 * (orders or customers) would bring the address back into marketing under a new record.
 */
export const up = `
CREATE TABLE erased_emails (
  address_hash      TEXT PRIMARY KEY,
  erased_at         TEXT NOT NULL
);
`;
