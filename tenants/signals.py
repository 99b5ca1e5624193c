"""What tenants announces to the apps above it, which it does not import: the regional reports
count registrations from it (reports/apps.py).

    enterprise_ready(enterprise)  an enterprise was provisioned: it is ready, with `provisioned_at`
                                  set. Sent once per enterprise (a ready one is never provisioned
                                  again), inside the provisioning transaction, so a listener's
                                  writes commit or roll back with the enterprise's new state.
"""

from django.dispatch import Signal

enterprise_ready = Signal()
