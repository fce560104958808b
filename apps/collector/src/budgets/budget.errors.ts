/** No such budget, or another team's (a team viewer cannot tell the two apart). */
export class BudgetNotFoundError extends Error {
  constructor(readonly budgetId: string) {
    super(`no budget with id "${budgetId}"`);
    this.name = 'BudgetNotFoundError';
  }
}
