//! Reference data: the administrative regions techex knows (Shandong's cities and the
//! provinces) and the industry fields, the province's priority industries first.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (code, Chinese, English, parent) — GB/T 2260 division codes.
const REGIONS: &[(&str, &str, &str, Option<&str>)] = &[
    ("370000", "山东省", "Shandong", None),
    ("370100", "济南市", "Jinan", Some("370000")),
    ("370200", "青岛市", "Qingdao", Some("370000")),
    ("370300", "淄博市", "Zibo", Some("370000")),
    ("370400", "枣庄市", "Zaozhuang", Some("370000")),
    ("370500", "东营市", "Dongying", Some("370000")),
    ("370600", "烟台市", "Yantai", Some("370000")),
    ("370700", "潍坊市", "Weifang", Some("370000")),
    ("370800", "济宁市", "Jining", Some("370000")),
    ("370900", "泰安市", "Tai'an", Some("370000")),
    ("371000", "威海市", "Weihai", Some("370000")),
    ("371100", "日照市", "Rizhao", Some("370000")),
    ("371300", "临沂市", "Linyi", Some("370000")),
    ("371400", "德州市", "Dezhou", Some("370000")),
    ("371500", "聊城市", "Liaocheng", Some("370000")),
    ("371600", "滨州市", "Binzhou", Some("370000")),
    ("371700", "菏泽市", "Heze", Some("370000")),
    ("110000", "北京市", "Beijing", None),
    ("120000", "天津市", "Tianjin", None),
    ("130000", "河北省", "Hebei", None),
    ("140000", "山西省", "Shanxi", None),
    ("150000", "内蒙古自治区", "Inner Mongolia", None),
    ("210000", "辽宁省", "Liaoning", None),
    ("220000", "吉林省", "Jilin", None),
    ("230000", "黑龙江省", "Heilongjiang", None),
    ("310000", "上海市", "Shanghai", None),
    ("320000", "江苏省", "Jiangsu", None),
    ("330000", "浙江省", "Zhejiang", None),
    ("340000", "安徽省", "Anhui", None),
    ("350000", "福建省", "Fujian", None),
    ("360000", "江西省", "Jiangxi", None),
    ("410000", "河南省", "Henan", None),
    ("420000", "湖北省", "Hubei", None),
    ("430000", "湖南省", "Hunan", None),
    ("440000", "广东省", "Guangdong", None),
    ("450000", "广西壮族自治区", "Guangxi", None),
    ("460000", "海南省", "Hainan", None),
    ("500000", "重庆市", "Chongqing", None),
    ("510000", "四川省", "Sichuan", None),
    ("520000", "贵州省", "Guizhou", None),
    ("530000", "云南省", "Yunnan", None),
    ("540000", "西藏自治区", "Tibet", None),
    ("610000", "陕西省", "Shaanxi", None),
    ("620000", "甘肃省", "Gansu", None),
    ("630000", "青海省", "Qinghai", None),
    ("640000", "宁夏回族自治区", "Ningxia", None),
    ("650000", "新疆维吾尔自治区", "Xinjiang", None),
    ("710000", "台湾省", "Taiwan", None),
    ("810000", "香港特别行政区", "Hong Kong", None),
    ("820000", "澳门特别行政区", "Macao", None),
];

/// (code, Chinese, English, provincial priority industry)
const FIELDS: &[(&str, &str, &str, bool)] = &[
    ("new_generation_it", "新一代信息技术", "New-generation information technology", true),
    ("high_end_equipment", "高端装备", "High-end equipment", true),
    ("new_energy", "新能源", "New energy", true),
    ("new_materials", "新材料", "New materials", true),
    ("biomedicine", "生物医药", "Biomedicine", true),
    ("marine", "海洋科学与海洋产业", "Marine science and industry", true),
    ("hydrogen_energy", "氢能", "Hydrogen energy", true),
    ("smart_agriculture", "现代农业与智慧农业", "Modern and smart agriculture", true),
    ("high_end_chemicals", "高端化工", "High-end chemicals", true),
    ("public_security", "公共安全", "Public security", true),
    ("high_end_chips", "高端芯片", "High-end chips", true),
    ("energy_environment", "节能环保", "Energy saving and environmental protection", false),
    ("other", "其他", "Other", false),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut regions = Query::insert();
        regions.into_table("regions").columns(["code", "name_zh", "name_en", "parent_code", "sort_order"]);
        for (order, (code, zh, en, parent)) in REGIONS.iter().enumerate() {
            regions
                .values([
                    (*code).into(),
                    (*zh).into(),
                    (*en).into(),
                    parent.map(|p| p.to_string()).into(),
                    (order as i32).into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        manager.exec_stmt(regions).await?;

        let mut fields = Query::insert();
        fields.into_table("industry_fields").columns(["code", "name_zh", "name_en", "priority", "sort_order"]);
        for (order, (code, zh, en, priority)) in FIELDS.iter().enumerate() {
            fields
                .values([(*code).into(), (*zh).into(), (*en).into(), (*priority).into(), (order as i32).into()])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        manager.exec_stmt(fields).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.exec_stmt(Query::delete().from_table("industry_fields").take()).await?;
        manager.exec_stmt(Query::delete().from_table("regions").take()).await?;
        Ok(())
    }
}
