/** data/migrations/003-shop-facts.ts in PostgreSQL's dialect (the same statements). */
export const up = `
CREATE INDEX orders_time_facts ON orders(ordered_at, kind, customer_id, country);
CREATE INDEX order_lines_facts ON order_lines(order_id, product_id, quantity, unit_price);
`;
