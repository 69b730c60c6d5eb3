"""The providers notifications sends through and hears from, each behind our own terms.

sms.py: the SMS boundary (SmsClient, SmsWebhooks, the values webhooks are read into) and the
console; twilio.py: everything Twilio; mail.py: email (EmailClient, SMTP, the console);
client.py: what every provider call shares (timing, logging); errors.py: what a failure means;
webhook.py: organizers' webhook receivers (not a provider: they hear from us)."""
