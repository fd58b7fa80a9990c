/**
 * First questions the demo page offers for each identity, as buttons. They are phrased the way a
 * person would ask, so they also show what the assistant understands; keep them in step with the
 * marketer and customer intents.
 */
export function marketerSuggestions(exampleCustomer?: string): string[] {
  return [
    'Which segments do we have?',
    'Who is likely to churn in Germany?',
    ...(exampleCustomer ? [`What is customer ${exampleCustomer} worth?`] : []),
    'What are our top products?',
    'Start a win-back for at-risk customers with 10% off',
    'Help',
  ];
}

export function customerSuggestions(): string[] {
  return [
    'What would you recommend for me?',
    'Something under £10, please',
    'Where is my last order?',
    'How do I return an item?',
  ];
}

export function visitorSuggestions(): string[] {
  return ['What would you recommend?', 'How do I return an item?', 'I want to talk to a person'];
}
