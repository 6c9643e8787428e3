"""factory_boy factories. Children always belong to their parent's tenant: tenant-owned
factories take the active tenant scope (tenants.tenancy) and refuse to run outside one."""

import factory

from egl_platform.models import Job
from tenants.models import Group, GroupMember, Membership, Tenant, User
from tenants.tenancy import require_active_tenant

PASSWORD = "correct-horse-battery"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tenant{n}")
    name = factory.LazyAttribute(lambda o: o.slug.capitalize())
    languages = factory.LazyFunction(lambda: ["en", "nl"])
    default_language = "en"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class TenantOwnedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    tenant = factory.LazyFunction(require_active_tenant)


class MembershipFactory(TenantOwnedFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted is not None:
            self.set_roles(extracted)
            if create:
                self.save(update_fields=["is_author", "is_reviewer", "is_admin"])


class GroupFactory(TenantOwnedFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = "team"


class GroupMemberFactory(TenantOwnedFactory):
    class Meta:
        model = GroupMember

    group = factory.SubFactory(GroupFactory)
    membership = factory.SubFactory(MembershipFactory)


class JobFactory(TenantOwnedFactory):
    class Meta:
        model = Job

    kind = "members.export_csv"


# --- authoring -----------------------------------------------------------------------------------


class AssetFactory(TenantOwnedFactory):
    class Meta:
        model = "authoring.Asset"

    filename = factory.Sequence(lambda n: f"picture-{n}.png")
    content_type = "image/png"
    file = factory.django.FileField(filename=factory.SelfAttribute("..filename"), data=b"png")
    size = 3
    checksum = (
        "sha256:8f8cbb7dcf46e0bc7d53265749a6c17d116093a6ba95e442764060c76fd4a86c"  # of b"png"
    )


class CourseFactory(TenantOwnedFactory):
    class Meta:
        model = "authoring.Course"

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    language = "en"
    owner = factory.SubFactory(MembershipFactory, roles=["author"])


class SectionFactory(TenantOwnedFactory):
    class Meta:
        model = "authoring.Section"

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n)


class PageFactory(TenantOwnedFactory):
    class Meta:
        model = "authoring.Page"

    section = factory.SubFactory(SectionFactory)
    title = factory.Sequence(lambda n: f"Page {n}")
    kind = "content"
    position = factory.Sequence(lambda n: n)
