/**
 * Indexes for marketers' questions about the shop's figures (data/repositories/shopFacts.ts).
 * Every such question reads the orders of a period and their merchandise lines; with these two
 * covering indexes SQLite reads both from the indexes alone, in time order. bench:analyst sets
 * the questions' latency against the same file without them.
 */
export const up = `
CREATE INDEX orders_time_facts ON orders(ordered_at, kind, customer_id, country);
CREATE INDEX order_lines_facts ON order_lines(order_id, product_id, quantity, unit_price);
`;
