/**
 * What a call costs: {@link dev.strata.server.cost.PriceTable} maps a model to its
 * {@link dev.strata.server.cost.Price} (USD per million input and output tokens, as hosted APIs
 * publish them; local models get a notional price so budgets work for them too). Budgets
 * ({@code server.admit}) and the audit log use it.
 */
package dev.strata.server.cost;
