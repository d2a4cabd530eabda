from django.core.management.base import BaseCommand

from accounts.demo import demo_setup


class Command(BaseCommand):
    help = "Create the demo accounts (a wholesaler and a shop) once, and print how to sign in."

    def handle(self, *args, **options):
        created, users = demo_setup()
        from demo.data import demo_images_localize

        demo_images_localize()
        self.stdout.write(self.style.SUCCESS("Demo accounts created." if created else "Demo accounts ready."))
        for demo in users:
            self.stdout.write(f"  {demo.company:<28} e-mail: {demo.email:<32} password: {demo.password}")
