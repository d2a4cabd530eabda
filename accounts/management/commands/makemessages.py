"""``makemessages`` that also finds the plural messages background work stores untranslated
(``config.stored_messages.plural_message("%(n)s product", "%(n)s products", n, n=n)``), as Django's own
command finds ``ngettext``'s."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=plural_message:1,2"]
