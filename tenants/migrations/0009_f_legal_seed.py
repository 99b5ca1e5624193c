# ruff: noqa: E501 - the documents' paragraphs are one line each
"""Version 1 of the user agreement and the privacy policy (PIPL), in Chinese and English."""

import datetime

from django.db import migrations

TERMS_ZH = """\
欢迎使用京津冀工业云平台（以下简称“本平台”）。本平台为北京、天津、河北三地的制造业企业提供工业云（中小企业数字化水平评测等）、金融云（融资需求发布与贷款产品匹配）和展会云（线上展厅、展位与采购对接）服务。请您在注册前仔细阅读本协议。您勾选同意并完成注册，即表示您已阅读、理解并同意本协议的全部内容。

一、账号与注册
1. 您应以真实身份注册，并如实填写企业名称、统一社会信用代码、所在地区、所属行业、联系方式等信息。信息发生变化的，应及时更新。
2. 完成企业注册的账号为该企业工作台的所有者，负责管理工作台成员及其角色。所有者邀请的成员以该企业名义使用本平台，所有者应确保成员经过企业授权。
3. 您应妥善保管账号和密码，不得将账号出借、转让给他人。因保管不善造成的损失由您自行承担；发现账号被盗用的，请立即修改密码并联系平台运营方。

二、服务内容
1. 数字化水平评测：企业自评结果仅供参考；经评测专家核验的结果方为“已核验”结果。核验结论依据企业提交的答案和佐证材料作出，企业应对所提交材料的真实性负责。
2. 金融服务：本平台仅提供融资需求发布、贷款产品展示与匹配服务，本身不发放贷款。是否授信、授信额度和利率由金融机构依其规定自主决定。
3. 展会服务：展位和产品信息由企业自行发布，采购商与企业之间的洽谈、合同和交易由双方自行约定并承担相应责任。
4. 本平台可能根据业务需要调整、升级服务内容，并在合理范围内提前公告。因系统维护、网络故障或不可抗力导致服务暂停的，平台运营方将尽快恢复。

三、使用规范
您不得利用本平台：发布虚假、侵权或违法信息；冒用他人或其他企业名义；干扰、破坏平台正常运行或尝试访问无权访问的数据；从事其他违反法律法规或公序良俗的活动。违反上述规定的，平台运营方有权视情况暂停或终止相关服务，并依法向有关部门报告。

四、数据与个人信息
1. 每家企业的评测、财务、展会等经营数据存放在该企业独立的数据空间中，仅该企业成员、经授权的评测专家和为完成相应任务的系统程序可以访问。
2. 经企业同意公开的核验结果、展位信息等，将在本平台相应公开页面展示；区域统计报表仅使用汇总数据。
3. 本平台处理个人信息的规则见《隐私政策》，该政策是本协议的组成部分。

五、知识产权
本平台的软件、页面设计和文档的知识产权归平台运营方或相关权利人所有。企业上传的材料，其权利仍归企业或原权利人所有；企业授权本平台为提供服务所必需的范围内存储、处理和展示这些材料。

六、责任限制
本平台尽力确保服务安全、稳定，但对因企业自身提交信息不实、第三方原因或不可抗力造成的损失，在法律允许的范围内不承担责任。金融机构、采购商等第三方的决定和行为由其自行负责。

七、协议的变更与终止
1. 本协议更新时，平台将在本页面发布新版本并注明生效日期；重大变更将以站内通知或电子邮件等方式告知，必要时请您重新确认。
2. 您可以申请注销账号。注销前，请确认已处理完企业工作台中的未完成事项。

八、法律适用与争议解决
本协议适用中华人民共和国法律。因本协议产生的争议，双方应友好协商；协商不成的，任何一方可以向平台运营方所在地有管辖权的人民法院提起诉讼。

九、联系我们
平台运营方的名称、服务热线及联系方式见本站“关于”页面。
"""

TERMS_EN = """\
Welcome to the Jingjinji Industrial Cloud Portal (the "Platform"). The Platform serves manufacturers in Beijing, Tianjin and Hebei with an industrial cloud (including the digital-maturity assessment of SMEs), a financial cloud (financing needs and matching loan products) and an exhibition cloud (an online hall, booths and buyer meetings). Please read this agreement before you register. By ticking the consent box and completing the registration you confirm that you have read, understood and accepted it in full. The Chinese version prevails.

1. Accounts and registration
1.1 Register under your real identity and give the enterprise's name, Unified Social Credit Code, region, industry and contact details truthfully. Keep them up to date.
1.2 The account that registers an enterprise is the owner of its workspace and manages its members and their roles. Members invited by the owner act for the enterprise; the owner makes sure they are authorised to.
1.3 Keep your password safe and do not lend or transfer your account. If you suspect misuse, change your password at once and contact the Platform operator.

2. The services
2.1 Digital-maturity assessment: a self-assessment is for reference only; only a result checked by an assessor is "verified". Verification relies on the answers and evidence the enterprise submits, for whose truthfulness the enterprise is responsible.
2.2 Financial services: the Platform publishes financing needs and shows and matches loan products; it does not lend. Whether to lend, how much and at what rate is decided by each financial institution under its own rules.
2.3 Exhibition services: enterprises publish their own booths and products. Negotiations, contracts and transactions between buyers and enterprises are agreed by them and are their responsibility.
2.4 The Platform may change or upgrade its services and will announce material changes in advance where reasonable. Service interrupted by maintenance, network failures or force majeure will be restored as soon as possible.

3. Acceptable use
Do not use the Platform to publish false, infringing or unlawful content; to impersonate another person or enterprise; to disrupt the Platform or try to reach data you are not entitled to; or for any other unlawful purpose. The operator may suspend or end the services concerned and report to the authorities as the law requires.

4. Data and personal information
4.1 Each enterprise's assessment, financial and exhibition data is kept in its own separate data space, which only its members, the assessor assigned to it and the system tasks doing its work can reach.
4.2 Verified results and booth information the enterprise agrees to publish are shown on the Platform's public pages; regional reports use aggregated figures only.
4.3 How the Platform handles personal information is set out in the Privacy Policy, which forms part of this agreement.

5. Intellectual property
The software, page design and documentation of the Platform belong to the operator or their owners. Material an enterprise uploads remains its own (or its original owner's); the enterprise permits the Platform to store, process and display it as far as needed to provide the services.

6. Limitation of liability
The Platform works to keep its services secure and available. To the extent the law allows, it is not liable for losses caused by untrue information from an enterprise, by third parties or by force majeure. Financial institutions, buyers and other third parties are responsible for their own decisions and acts.

7. Changes and termination
7.1 A new version of this agreement is published on this page with its effective date; material changes are announced by a notice or email and may require your renewed consent.
7.2 You may ask for your account to be closed; first finish or hand over any open work in your enterprise's workspace.

8. Governing law and disputes
This agreement is governed by the laws of the People's Republic of China. Disputes are first settled by consultation; failing that, either party may sue in the competent people's court where the operator is located.

9. Contact
The operator's name, service hotline and contact details are on the About page of this site.
"""

PRIVACY_ZH = """\
京津冀工业云平台（以下简称“本平台”）的运营方（以下简称“我们”）依照《中华人民共和国个人信息保护法》《中华人民共和国网络安全法》《中华人民共和国数据安全法》等法律法规处理您的个人信息。本政策说明我们收集哪些个人信息、用于什么目的、保存多久，以及您享有的权利。请您在注册前仔细阅读。

一、我们收集的个人信息
1. 账号信息：您的姓名、电子邮箱和密码（密码仅以不可逆的加密摘要形式保存，任何人都无法读取原文）。
2. 企业联系人信息：注册企业时填写的联系电话。
3. 您在使用服务过程中提交的信息：评测答案与佐证材料、财务数据与融资需求、产品与展位信息、采购询盘与会面预约中填写的姓名、单位、联系方式和留言。其中企业经营数据属于企业信息，我们同样按照本政策予以保护。
4. 安全与日志信息：登录时间、IP 地址、操作记录（审计日志），以及维持登录状态和记住语言偏好所必需的 Cookie。我们不使用广告或跨站跟踪类 Cookie。
5. 同意记录：您同意本政策和用户协议的版本、时间和 IP 地址。
本平台不要求您提供身份证件号码、生物识别、行踪轨迹等敏感个人信息，也不面向不满十四周岁的未成年人提供服务。

二、处理目的和法律依据
1. 为您开设并维护账号、提供工业云、金融云和展会云服务（为订立、履行您作为一方当事人的合同所必需）；
2. 向您发送通知和电子邮件，例如邮箱验证、评测核验进展、金融机构的答复和会面提醒；
3. 保障账号和平台安全，例如登录失败次数限制、异常访问识别和操作审计（履行法定义务所必需）；
4. 以汇总、不能识别到具体个人的形式编制区域统计报表。
超出上述目的处理您的个人信息的，我们将另行征得您的同意。

三、委托处理、共享与公开
1. 评测专家：仅在受指派核验您企业的评测时，查看该次评测的答案和佐证材料。
2. 金融机构：仅在您的企业主动提交贷款申请后，向所申请产品的金融机构提供完成审核所必需的信息。
3. 采购商和社会公众：仅展示您的企业同意公开的已核验结果和展位、产品信息。
4. 区域管理部门：仅能查看其辖区内的汇总统计和已公开的核验结果。
5. 技术服务：邮件发送等服务可能委托第三方完成，我们将以合同约定其处理目的、方式和保护义务。
我们不会出售您的个人信息。您的个人信息存储在中华人民共和国境内，不向境外提供。

四、保存期限
1. 账号信息在账号存续期间保存；账号注销后，我们将在十五个工作日内删除或匿名化处理，法律法规另有规定的除外。
2. 安全日志和审计记录依照《网络安全法》的要求至少保存六个月，到期后删除。
3. 同意记录在证明您已作出同意所必需的期限内保存。

五、您的权利
依照《个人信息保护法》，您有权：查阅、复制您的个人信息；请求更正或补充不准确、不完整的信息；在法定情形下请求删除；撤回同意（撤回不影响此前基于同意已进行的处理）；请求将个人信息转移至您指定的其他个人信息处理者；要求我们对本政策作出解释说明；注销账号。您可以在平台内修改部分信息，或通过下方联系方式提出请求。我们将在核实身份后十五个工作日内答复。

六、安全措施
我们采用传输加密、密码加密存储、企业数据隔离存放、最小权限访问控制和操作审计等措施保护个人信息。如发生个人信息泄露等安全事件，我们将依法采取补救措施，并及时告知您和有关主管部门。

七、本政策的更新
本政策更新时，我们将在本页面发布新版本并注明生效日期；涉及处理目的、方式或个人信息种类的重大变更，我们将重新征得您的同意。

八、联系我们
个人信息保护相关事宜，请通过本站“关于”页面公布的平台运营方服务热线与我们联系。您认为我们的处理行为损害您的合法权益的，也可以向网信、工业和信息化等主管部门投诉、举报。
"""

PRIVACY_EN = """\
The operator of the Jingjinji Industrial Cloud Portal (the "Platform", "we") handles your personal information under the Personal Information Protection Law (PIPL), the Cybersecurity Law and the Data Security Law of the People's Republic of China. This policy says what personal information we collect, why, how long we keep it and what rights you have. Please read it before you register. The Chinese version prevails.

1. What we collect
1.1 Account: your name, email address and password (kept only as an irreversible hash, which no one can read back).
1.2 Enterprise contact: the phone number given when the enterprise registers.
1.3 What you submit while using the services: assessment answers and evidence, financial figures and financing needs, products and booths, and the names, organisations, contact details and messages in buyer inquiries and meeting bookings. Business data of an enterprise is the enterprise's information; we protect it under this policy as well.
1.4 Security and logs: sign-in times, IP addresses, a record of actions (the audit log), and the cookies needed to keep you signed in and remember your language. We use no advertising or cross-site tracking cookies.
1.5 Consent records: which version of this policy and of the user agreement you accepted, when, and from which IP address.
The Platform does not ask for identity-card numbers, biometrics, location tracks or other sensitive personal information, and is not offered to children under 14.

2. Purposes and legal basis
2.1 To open and keep your account and provide the industrial, financial and exhibition services (necessary for a contract to which you are party);
2.2 To send you notices and emails, such as email confirmation, progress of an assessment's verification, answers from financial institutions and meeting reminders;
2.3 To keep accounts and the Platform secure: limits on failed sign-ins, detection of abnormal access and an audit of actions (necessary to meet legal obligations);
2.4 To compile regional statistics in aggregated form that identifies no individual.
Any other use of your personal information will be asked for separately.

3. Entrusted processing, sharing and disclosure
3.1 Assessors see an assessment's answers and evidence only when assigned to verify that assessment.
3.2 Financial institutions receive what they need to review an application only after your enterprise applies for one of their products.
3.3 Buyers and the public see only the verified results and the booth and product information your enterprise agrees to publish.
3.4 Regional administrations see aggregated statistics of their area and published verified results only.
3.5 Technical services such as sending email may be entrusted to providers bound by contract to the purpose, manner and protection we set.
We do not sell personal information. Your personal information is stored in the People's Republic of China and is not transferred abroad.

4. How long we keep it
4.1 Account information while the account exists; within 15 working days of the account's closure it is deleted or anonymised, unless the law requires otherwise.
4.2 Security logs and audit records for at least six months, as the Cybersecurity Law requires, then deleted.
4.3 Consent records for as long as needed to show that you consented.

5. Your rights
Under the PIPL you may: access and copy your personal information; have inaccurate or incomplete information corrected or completed; have it deleted where the law provides; withdraw your consent (which does not affect processing already done on its basis); have it transferred to another processor you designate; ask us to explain this policy; and close your account. You can change some information in the Platform yourself or send us a request through the contact below; we answer within 15 working days after confirming your identity.

6. Security
We protect personal information with encryption in transit, hashed passwords, a separate data space for each enterprise, least-privilege access control and an audit of actions. Should a breach occur, we will take remedial measures and inform you and the competent authorities as the law requires.

7. Changes to this policy
A new version is published on this page with its effective date. For a material change of purpose, manner or kinds of personal information we will ask for your consent again.

8. Contact
For personal-information matters, contact the Platform operator through the service hotline on the About page of this site. If you believe our handling harms your rights, you may also complain to the cyberspace or industry and information-technology authorities.
"""

DOCUMENTS = [
    {
        "kind": "terms",
        "title_zh": "京津冀工业云平台用户协议",
        "title_en": "Jingjinji Industrial Cloud Portal user agreement",
        "body_zh": TERMS_ZH,
        "body_en": TERMS_EN,
    },
    {
        "kind": "privacy",
        "title_zh": "京津冀工业云平台隐私政策",
        "title_en": "Jingjinji Industrial Cloud Portal privacy policy",
        "body_zh": PRIVACY_ZH,
        "body_en": PRIVACY_EN,
    },
]


def seed(apps, schema_editor):
    LegalDocument = apps.get_model("tenants", "LegalDocument")
    for row in DOCUMENTS:
        LegalDocument.objects.get_or_create(
            kind=row["kind"],
            version=1,
            defaults={**row, "effective_on": datetime.date(2026, 1, 1)},
        )


def unseed(apps, schema_editor):
    apps.get_model("tenants", "LegalDocument").objects.filter(version=1, consents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("tenants", "0008_f_legal_documents")]

    operations = [migrations.RunPython(seed, unseed)]
