"""Messages to buyers and sellers: what happened to their money, by e-mail and SMS, each sent once.

* :mod:`.kinds`: every kind of message, who gets it, and the channels it goes out on;
* :mod:`.compose`: its content, rendered from templates in the recipient's language;
* :mod:`.outbox`: a message recorded (once per event, recipient and channel) and queued for sending;
* :mod:`.delivery`: sending a recorded message, with retries, exactly once;
* :mod:`.receivers`: the package's signals turned into messages;
* :mod:`.reminders`: the reminder before a silent buyer's purchase is confirmed for them.
"""
